/** @sophia/lambda-cloud-sim: a simulated Lambda Cloud API whose instances boot as local vLLM simulators. */
export { createLambdaCloudSimulator, type LambdaCloudSimulator, type LambdaCloudSimulatorOptions, type SimInstanceType } from './lambda-cloud-simulator.ts';
export { simInstanceTypes } from './sim-instance-types.ts';
export { servedModelFromUserData } from './served-model-from-user-data.ts';
