"""The tutorial baseline: RecursiveCharacterTextSplitter 1000/200 + Chroma + the same embedding, top-k."""

from __future__ import annotations

import time
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from evals.scoring import Retrieved


class BaselinePipeline:
    """What a LangChain tutorial builds; used to measure what our structure and hybrid retrieval add."""

    def __init__(self, texts: dict[str, str], embeddings: Embeddings, persist_dir: Path) -> None:
        t0 = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        docs: list[LCDocument] = []
        for name, text in sorted(texts.items()):
            for d in splitter.create_documents([text], metadatas=[{"source_file": name}]):
                docs.append(d)
        self.n_chunks = len(docs)
        self.db = Chroma(collection_name="baseline", embedding_function=embeddings, persist_directory=str(persist_dir))
        ids = [f"b{i}" for i in range(len(docs))]
        for i in range(0, len(docs), 64):
            self.db.add_documents(docs[i : i + 64], ids=ids[i : i + 64])
        self.build_seconds = time.perf_counter() - t0

    def search(self, query: str, k: int = 5) -> list[Retrieved]:
        out = []
        for d in self.db.similarity_search(query, k=k):
            s = int(d.metadata.get("start_index", 0))
            out.append(Retrieved(d.metadata["source_file"], d.page_content, s, s + len(d.page_content)))
        return out
