/**
 * Who may import whom inside the service (docs/architecture.md). `common/` imports no module; a module
 * imports only the modules listed for it, and those only through their public entry (`index.ts`).
 * The graph must stay acyclic: the config refuses to load otherwise.
 */
export const MODULE_DEPENDENCIES = {
  health: [],
  metrics: [],
  teams: [],
  sla: ['teams'],
  history: [],
  tickets: ['teams', 'sla', 'history'],
  'team-metrics': ['teams', 'tickets'],
  attachments: ['tickets', 'history'],
  comments: ['tickets', 'history', 'attachments'],
  notifications: ['history'],
  alerts: ['tickets', 'teams', 'comments'],
};

const SRC = './apps/ticket-service/src';

function assertAcyclic(graph) {
  const state = new Map();
  const visit = (name, path) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`Module dependency cycle: ${[...path, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dependency of graph[name] ?? []) visit(dependency, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(graph)) visit(name, []);
}

/** The zones of import-x/no-restricted-paths that enforce MODULE_DEPENDENCIES. */
export function moduleBoundaryZones(graph = MODULE_DEPENDENCIES) {
  assertAcyclic(graph);
  const modules = Object.keys(graph);
  const zones = [
    {
      target: `${SRC}/common`,
      from: [`${SRC}/modules`, `${SRC}/app.module.ts`],
      message: 'common/ is below every module: it must not import one (declare a port and let the module plug in).',
    },
  ];
  for (const target of modules) {
    for (const from of modules) {
      if (from === target) continue;
      const allowed = graph[target].includes(from);
      zones.push({
        target: `${SRC}/modules/${target}`,
        from: `${SRC}/modules/${from}`,
        ...(allowed
          ? { except: ['./index.ts'], message: `Import the ${from} module through its public entry ('../${from}').` }
          : {
              message:
                `The ${target} module may not depend on ${from} ` +
                `(allowed: ${graph[target].join(', ') || 'none'}; see eslint/module-boundaries.mjs).`,
            }),
      });
    }
  }
  return zones;
}
