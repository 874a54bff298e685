export { silentRecorder } from './log/events';
