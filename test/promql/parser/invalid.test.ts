// Invalid PromQL: each input with the exact error Prometheus gives. The `fromPrometheus` table was
// collected from the Debian Prometheus 2.42 (GET /api/v1/query, "invalid parameter \"query\": " stripped),
// keeping only cases where 2.42 and 3.x agree; `prometheus3` holds messages of 3.x features, taken from
// promql/parser/parse.go. prometheus-diff.test.ts re-asks a live Prometheus about these when it is installed.
import tap from 'tap';
const t = tap;
import { BadDataError } from '../../../src/model/index.js';
import { parse } from '../../../src/promql/parser/index.js';

export const fromPrometheus: Record<string, [query: string, message: string][]> = {
  'lexer: stray characters, brackets, strings, durations': [
    ["foo $", "1:5: parse error: unexpected character: '$'"],
    ["foo]", "1:4: parse error: unexpected right bracket ']'"],
    ["foo}", "1:4: parse error: unexpected character: '}'"],
    ["foo[5m", "1:7: parse error: unclosed left bracket"],
    ["foo{a=1}", "1:7: parse error: unexpected character inside braces: '1'"],
    ["foo[5m:1m:1m]", "1:10: parse error: unexpected colon ':'"],
    ["rate(", "1:6: parse error: unclosed left parenthesis"],
    ["\"\\q\"", "1:1: parse error: unknown escape sequence U+0071 'q'"],
    ["'\\\"'", "1:1: parse error: unknown escape sequence U+0022 '\"'"],
    ["\"\\'\"", "1:1: parse error: unknown escape sequence U+0027 '''"],
    ["\"\\xZZ\"", "1:1: parse error: illegal character U+005A 'Z' in escape sequence"],
    ["\"\\u12\"", "1:1: parse error: illegal character U+0022 '\"' in escape sequence"],
    ["\"\\400\"", "1:1: parse error: escape sequence is an invalid Unicode code point"],
    ["\"abc", "1:1: parse error: unterminated quoted string"],
    ["'abc", "1:1: parse error: unterminated quoted string"],
    ["`abc", "1:1: parse error: unterminated raw string"],
    ["(1", "1:3: parse error: unclosed left parenthesis"],
    ["foo{a=\"b\"}}", "1:11: parse error: unexpected character: '}'"],
    ["{a=\"b\"", "1:7: parse error: unexpected end of input inside braces"],
    ["foo{", "1:5: parse error: unexpected end of input inside braces"],
    ["foo[1m1h]", "1:5: parse error: not a valid duration string: \"1m1h\""],
    ["foo offset 1h1h", "1:12: parse error: not a valid duration string: \"1h1h\""],
    ["sum by (foo", "1:12: parse error: unclosed left parenthesis"],
    ["foo[5m:1m", "1:10: parse error: unclosed left bracket"],
    ["foo[5m:]]", "1:9: parse error: unexpected right bracket ']'"],
    ["(", "1:2: parse error: unclosed left parenthesis"],
    ["{", "1:2: parse error: unexpected end of input inside braces"],
    ["}", "1:1: parse error: unexpected character: '}'"],
    ["foo{a!}", "1:6: parse error: unexpected character after '!' inside braces: '}'"],
  ],
  'grammar: unexpected tokens': [
    ["sum by (a b) (x)", "1:11: parse error: unexpected identifier \"b\" in grouping opts, expected \",\" or \")\""],
    ["foo{a}", "1:6: parse error: unexpected \"}\" in label matching, expected label matching operator"],
    ["foo{a=\"b\" c=\"d\"}", "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\""],
    ["sum(foo) by", "1:12: parse error: unexpected end of input in grouping opts, expected \"(\""],
    ["1 + * 2", "1:5: parse error: unexpected <op:*>"],
    ["foo offset", "1:11: parse error: unexpected end of input in offset, expected duration"],
    ["foo @", "1:6: parse error: unexpected end of input in @, expected timestamp"],
    ["foo @ bar", "1:7: parse error: unexpected identifier \"bar\" in @, expected timestamp"],
    ["foo and", "1:8: parse error: unexpected end of input"],
    ["sum without(a) (x) by (b)", "1:20: parse error: unexpected <by>"],
    ["foo ==", "1:7: parse error: unexpected end of input"],
    ["abs(1 2)", "1:7: parse error: unexpected number \"2\""],
    [", foo", "1:1: parse error: unexpected \",\""],
    ["foo * group_left bar", "1:7: parse error: unexpected <group_left>"],
    ["foo * group_right(a) bar", "1:7: parse error: unexpected <group_right>"],
    ["sum by foo (x)", "1:8: parse error: unexpected identifier \"foo\" in grouping opts, expected \"(\""],
    ["sum(foo) without", "1:17: parse error: unexpected end of input in grouping opts, expected \"(\""],
    ["foo @ 10 @", "1:11: parse error: unexpected end of input in @, expected timestamp"],
    ["on(a) foo", "1:1: parse error: unexpected <on>"],
    ["foo + on(a)", "1:12: parse error: unexpected end of input"],
    ["bool", "1:1: parse error: unexpected <bool>"],
    ["[5m]", "1:1: parse error: unexpected \"[\""],
    ["foo{a=~}", "1:8: parse error: unexpected \"}\" in label matching, expected string"],
    ["foo{=~\"a\"}", "1:5: parse error: unexpected <op:=~> in label matching, expected identifier or \"}\""],
    ["foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\""],
    ["foo{a=\"b\",,}", "1:11: parse error: unexpected \",\" in label matching, expected identifier or \"}\""],
    ["1 2", "1:3: parse error: unexpected number \"2\""],
    ["foo bar", "1:5: parse error: unexpected identifier \"bar\""],
    ["foo \"bar\"", "1:5: parse error: unexpected string \"\\\"bar\\\"\""],
    ["\"foo\" \"bar\"", "1:7: parse error: unexpected string \"\\\"bar\\\"\""],
    ["sum(foo) sum(bar)", "1:10: parse error: unexpected <aggr:sum>"],
    ["rate(foo[5m]) 5", "1:15: parse error: unexpected number \"5\""],
    ["sum by (a) without (b) (x)", "1:12: parse error: unexpected <without> in aggregation"],
    ["foo offset 5m offset", "1:21: parse error: unexpected end of input in offset, expected duration"],
    ["foo[5m] @", "1:10: parse error: unexpected end of input in @, expected timestamp"],
    ["-", "1:2: parse error: unexpected end of input"],
    ["+", "1:2: parse error: unexpected end of input"],
    ["*", "1:1: parse error: unexpected <op:*>"],
    ["foo ^", "1:6: parse error: unexpected end of input"],
    ["foo atan2", "1:10: parse error: unexpected end of input"],
    ["topk(1, foo) by", "1:16: parse error: unexpected end of input in grouping opts, expected \"(\""],
    ["group by (a)", "1:13: parse error: unexpected end of input in aggregation"],
  ],
  'modifiers: ranges, subqueries, offset and @': [
    ["foo[5m] [5m]", "1:9: parse error: ranges only allowed for vector selectors"],
    ["foo[0s]", "1:5: parse error: duration must be greater than 0"],
    ["foo[5m:0s]", "1:8: parse error: duration must be greater than 0"],
    ["foo offset 1m [5m]", "1:15: parse error: no offset modifiers allowed before range"],
    ["foo @ 1 [5m]", "1:9: parse error: no @ modifiers allowed before range"],
    ["1[5m:]", "1:1: parse error: subquery is only allowed on instant vector, got scalar instead"],
    ["\"a\"[5m:]", "1:1: parse error: subquery is only allowed on instant vector, got string instead"],
    ["-foo[5m]", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\""],
    ["foo @ Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"],
    ["foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN"],
    ["foo offset 1m offset 1m", "1:1: parse error: offset may not be set multiple times"],
    ["foo[5m:1m] offset 1m offset 1m", "1:1: parse error: offset may not be set multiple times"],
    ["foo[5m] offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times"],
    ["1 offset 1m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["\"a\" offset 1m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["sum(foo) offset 1m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["(foo) offset 1m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["rate(foo[5m]) @ 1", "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["sum(foo) @ 10", "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"],
    ["foo @ start() @ end()", "1:1: parse error: @ <timestamp> may not be set multiple times"],
    ["(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"],
    ["rate(foo[5m])[5m]", "1:14: parse error: ranges only allowed for vector selectors"],
  ],
  'binary and unary operators: types, bool, matching': [
    ["-\"a\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\""],
    ["foo + on(a) group_left(a) bar", "1:5: parse error: label \"a\" must not occur in ON and GROUP clause at once"],
    ["foo and on(a) group_left bar", "1:1: parse error: no grouping allowed for \"and\" operation"],
    ["foo or on(a) group_right(b) bar", "1:1: parse error: no grouping allowed for \"or\" operation"],
    ["1 + on(a) foo", "1:1: parse error: vector matching only allowed between instant vectors"],
    ["1 + bool 2", "1:3: parse error: bool modifier can only be used on comparison operators"],
    ["foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"],
    ["foo or bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"],
    ["1 < 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"],
    ["1 == 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"],
    ["1 and 2", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"],
    ["foo and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"],
    ["1 or foo", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression"],
    ["foo unless 1", "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression"],
    ["foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"],
    ["1 - foo[5m]", "1:5: parse error: binary expression must contain only scalar and instant vector types"],
    ["\"a\" + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"],
  ],
  'aggregations: arguments and parameter types': [
    ["sum(1)", "1:5: parse error: expected type instant vector in aggregation expression, got scalar"],
    ["topk(foo, bar)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"],
    ["count_values(1, foo)", "1:14: parse error: expected type string in aggregation parameter, got scalar"],
    ["quantile(\"a\", foo)", "1:10: parse error: expected type scalar in aggregation parameter, got string"],
  ],
  'functions: names, arity, argument types': [
    ["sum(1, foo)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2"],
    ["sum()", "1:1: parse error: no arguments for aggregate expression provided"],
    ["topk(foo)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"],
    ["round(foo, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3"],
    ["label_join(foo, \"a\")", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 2"],
    ["time(1)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1"],
    ["abs()", "1:1: parse error: expected 1 argument(s) in call to \"abs\", got 0"],
    ["abs(foo, bar)", "1:1: parse error: expected 1 argument(s) in call to \"abs\", got 2"],
    ["foo(bar)", "1:1: parse error: unknown function with name \"foo\""],
    ["nonexistent_fn()", "1:1: parse error: unknown function with name \"nonexistent_fn\""],
    ["rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"],
    ["rate(1)", "1:6: parse error: expected type range vector in call to function \"rate\", got scalar"],
    ["rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"],
    ["abs(\"a\")", "1:5: parse error: expected type instant vector in call to function \"abs\", got string"],
    ["histogram_quantile(foo, bar)", "1:20: parse error: expected type scalar in call to function \"histogram_quantile\", got instant vector"],
    ["label_replace(foo, \"a\", \"b\", \"c\", 1)", "1:35: parse error: expected type string in call to function \"label_replace\", got scalar"],
    ["clamp(foo, \"a\", 1)", "1:12: parse error: expected type scalar in call to function \"clamp\", got string"],
    ["vector(foo)", "1:8: parse error: expected type scalar in call to function \"vector\", got instant vector"],
    ["scalar(1)", "1:8: parse error: expected type instant vector in call to function \"scalar\", got scalar"],
    ["predict_linear(foo, 1)", "1:16: parse error: expected type range vector in call to function \"predict_linear\", got instant vector"],
    ["count_values(\"x\")", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"],
  ],
  'selectors and matchers': [
    ["{a=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"],
    ["{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"],
    ["{a=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"],
    ["{a!=\"x\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"],
    ["foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""],
    ["foo{__name__=~\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""],
    ["foo{a!~\"[a\"}", "1:5: parse error: error parsing regexp: missing closing ]: `[a)$`"],
  ],
};

const prometheus3: Record<string, [query: string, message: string][]> = {
  'empty input': [
    ['', '1:1: parse error: no expression found in input'],
    ['   \n\t', '1:1: parse error: no expression found in input'],
    ['# only a comment', '1:1: parse error: no expression found in input'],
  ],
  'experimental functions need the feature flag': [
    ['sort_by_label(foo, "a")', '1:1: parse error: function "sort_by_label" is not enabled'],
    ['mad_over_time(foo[5m])', '1:1: parse error: function "mad_over_time" is not enabled'],
    ['double_exponential_smoothing(foo[5m], 0.5, 0.5)', '1:1: parse error: function "double_exponential_smoothing" is not enabled'],
    ['ts_of_max_over_time(foo[5m])', '1:1: parse error: function "ts_of_max_over_time" is not enabled'],
    ['step()', '1:1: parse error: function "step" is not enabled'],
    ['1 + info(foo)', '1:5: parse error: function "info" is not enabled'],
    ['limitk(2, foo)', '1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions'],
    ['limit_ratio(0.5, foo)', '1:1: parse error: limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions'],
  ],
  'UTF-8 names': [
    ['{"a.b"=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['{"a.b"=~"x"} offset 1m offset 1m', '1:1: parse error: offset may not be set multiple times'],
  ],
  'metric name twice': [
    ['foo{"bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  ],
  'zero ranges and steps': [
    ['foo[0]', '1:5: parse error: duration must be greater than 0'],
    ['foo[5m-5m]', '1:5: parse error: duration must be greater than 0'],
    ['foo[5m:0]', '1:8: parse error: duration must be greater than 0'],
  ],
  'duration arithmetic': [
    ['foo[5m/0]', '1:5: parse error: division by zero'],
    ['foo[5m%0]', '1:5: parse error: modulo by zero'],
  ],
  'group modifiers need on/ignoring': [
    ['foo * group_left(a) bar', '1:7: parse error: unexpected <group_left>'],
    ['foo * bool group_right bar', '1:12: parse error: unexpected <group_right>'],
  ],
  'postfix forms bind tighter than operators': [
    ['a + b[5m:]', '1:5: parse error: binary expression must contain only scalar and instant vector types'],
    ['-foo[5m]', '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
    ['a * b[5m] + c', '1:5: parse error: binary expression must contain only scalar and instant vector types'],
  ],
};

function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

function checkTable(t: typeof tap, table: Record<string, [string, string][]>): void {
  for (const [behaviour, cases] of Object.entries(table)) {
    t.test(behaviour, async (t) => {
      for (const [query, message] of cases) {
        const err = thrown(() => parse(query));
        t.ok(err instanceof BadDataError, `${JSON.stringify(query)} throws BadDataError`);
        t.equal(err?.message, message, JSON.stringify(query));
        // The byte position agrees with the column in the message (all these queries are one line).
        const col = Number(/^1:(\d+):/.exec(message)?.[1]);
        if (!query.includes('\n')) t.equal((err as BadDataError).position?.start, col - 1, `${JSON.stringify(query)} position`);
      }
    });
  }
}

t.test('errors Prometheus 2.42 gives word for word', async (t) => checkTable(t, fromPrometheus));
t.test('errors of Prometheus 3 features', async (t) => checkTable(t, prometheus3));
