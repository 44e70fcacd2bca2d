export const hello = (): string => 'ingest';
