// Ingest, Node entry: file-path reading and the chunk reader with Parquet support. A browser entry
// imports './core.js' instead (no Node modules).
export { detectFormat, type ChunkReadOptions, type ParquetToIpc } from './core.js';
export { readGrants, readGrantsFromChunks, parquetToIpc, readIdentities } from './node.js';
