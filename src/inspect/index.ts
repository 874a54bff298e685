/** The inspector's public API: snapshot, HTTP endpoint, timelines and statecharts. */
export {
  buildSnapshot,
  inspectSnapshotSchema,
  socketStateSchema,
  connectionStateSchema,
  DEFAULT_CLOSED,
  type InspectSnapshot,
  type InspectableServer,
  type LiveSession,
  type SnapshotOptions,
} from './snapshot';
export { createInspectorHandler, DEFAULT_INSPECTOR_PATH, type InspectorHandler, type InspectorOptions } from './http-endpoint';
export { attachInspector } from './attach';
export { createMetricsRegistry, MAX_NAMESPACE_SERIES } from './metrics';
export { basicAuth } from './basic-auth';
export { EventStream, type EventBatch, type EventStreamOptions } from './event-stream';
export { buildLiveModel, LiveModelFollower, type LiveModel, type LivePatches } from './live-model';
export { renderTimelineHtml, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_OVERVIEW, type TimelineOptions } from './timeline';
export { buildLanes, type ConnectionLane, type SocketLane, type Marker, type MarkerKind, type Segment, type LaneOptions } from './lanes';
export { describeMachine, type MachineGraph, type GraphState, type GraphTransition } from './machine-graph';
export { machineToMermaid, lifecycleMermaid, LIFECYCLE_MACHINES } from './mermaid';
export { renderStatechartSvg } from './statechart-svg';
