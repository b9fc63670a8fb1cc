"""Index layer: chunk catalog, Chroma vector store, BM25 lexical index, hybrid retrieval."""
