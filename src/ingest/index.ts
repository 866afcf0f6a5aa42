// Ingest, Node entry: the platform-neutral readers plus file-path reading.
export { readGrantsFromChunks, detectFormat, type ChunkReadOptions, type ParquetToIpc } from './core.js';
export { readGrants } from './node.js';
