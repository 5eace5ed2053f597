// Module LexiconStore.
