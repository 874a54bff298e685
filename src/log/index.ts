/** The event log's public surface, for the server, the adapters, the inspector and the CLI. */
export * from './events';
export { EventLog, DEFAULT_RETAIN_CLOSED, defaultNodeName, type EventLogOptions, type LogListener } from './event-log';
export { createEventLog, eventLogOptionSchema, type EventLogOption } from './options';
export { isLogSink, type LogSink, type DroppedRecords } from './sink';
export { boundEvent, cutString, MAX_STRING, MAX_ITEMS, MAX_DEPTH, MAX_RECORD, type SensitiveFields } from './bound';
export { ConnectionShare, DEFAULT_CONNECTION_SHARE, type ConnectionShareOptions } from './connection-share';
export { appErrorFacts, type AppErrorFacts } from './app-error';
export { MemorySink, DEFAULT_CAPACITY } from './memory-sink';
export { JsonlFileSink, rotatedPath, DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, type FileSinkOptions } from './file-sink';
export * from './projections';
export { explainConnection, explainSocket, endedAbnormally, connectionEnd } from './explain';
export { MAX_LABEL, type LabelFunction } from './connection-label';
export { describeEvent } from './describe-event';
export { clock, isoTime } from './clock';
export {
  readLog,
  parseLog,
  mergeEvents,
  readLogFile,
  readLogStream,
  mergeLogSources,
  type LogProblem,
  type ReadLogResult,
  type LogBatch,
  type ReadLogOptions,
} from './read-log';
export { ReplayStream, SETTLE_MS, type ConnectionStory, type ReplayStreamOptions, type TimelineKeeper } from './replay-stream';
export {
  replay,
  replayJson,
  type ReplayOptions,
  type ReplayResult,
  type ReplayJson,
  type ConnectionReport,
  type SocketReport,
  type TimelineEntry,
} from './replay';
