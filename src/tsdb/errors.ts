/**
 * The one error the block readers add: a block file whose bytes do not follow its format (bad magic, CRC
 * mismatch, truncation, a ref pointing outside the file). It is a StorageError, so the StoreAPI boundary maps
 * it like any other storage failure; the store gateway catches it per block to skip that block.
 */
import { StorageError } from '../model/index.js';

export class CorruptBlockError extends StorageError {
  override name = 'CorruptBlockError';
}
