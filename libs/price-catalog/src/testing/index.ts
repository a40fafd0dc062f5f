// Test doubles for services that price requests: a small, hand-checkable catalog.
export { testCatalog, testCatalogFile } from './test-catalog.ts';
export { lambdaInstanceTypesResponse } from './lambda-fixture.ts';
