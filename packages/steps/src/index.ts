export { builtinSteps, createStepRegistry } from './registry.js';
