export { createClassifierHandler } from './classifier-handler.ts';
