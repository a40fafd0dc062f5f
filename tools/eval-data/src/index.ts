export { DATASETS } from './datasets.ts';
export { DEFAULT_SOURCE, fileUrl, type Dataset, type DatasetFile } from './dataset.ts';
export { evalDataDir, requireEvalData, MissingEvalDataError, EVAL_DATA_FOLDER } from './eval-data-dir.ts';
export { fetchDatasets, DataFetchError, type FetchOptions, type FileOutcome } from './fetch-datasets.ts';
