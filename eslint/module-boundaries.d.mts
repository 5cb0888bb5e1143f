export type ModuleGraph = Record<string, string[]>;
export declare const MODULE_DEPENDENCIES: ModuleGraph;
export interface BoundaryZone {
  target: string;
  from: string | string[];
  except?: string[];
  message: string;
}
export declare function moduleBoundaryZones(graph?: ModuleGraph): BoundaryZone[];
