// A small hand-written RunReport with a pass, two failed checks (one against a baseline) and an
// entry that could not run: exact expected output is easy to state for it.
import type { RunReport } from '../../src/report/model.ts';

export const smallReport: RunReport = {
  schemaVersion: 1, tool: { name: 'neurogate', version: '0.1.0' }, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 2500,
  environment: { node: 'v20', onnxruntime: '1.30.0', platform: 'linux-x64', cpus: 2 }, seed: 7,
  device: { requested: 'auto', used: 'cpu', reason: 'auto: fell back to cpu' }, options: {},
  suites: [{
    file: 'specs/a.yaml', suite: 'curves', model: { ref: 'zoo:inception_v3', hash: 'ab'.repeat(16) },
    entries: [
      { id: 'peak', kind: 'neurons', where: 'specs/a.yaml:5:3', params: {}, seed: 7, durationMs: 120, measurements: {}, artifacts: [],
        checks: [{ metric: 'tuning.peak_deg', expectation: '90 ± 15', threshold: { near: 90, tol: 15 }, observed: 92, passed: true }] },
      { id: 'echo', kind: 'neurons', where: 'specs/a.yaml:9:3', params: {}, seed: 7, durationMs: 80, measurements: {}, artifacts: [],
        checks: [
          { metric: 'tuning.echo', expectation: '≤ 0.1', threshold: { max: 0.1 }, observed: 0.79996, passed: false, reason: 'above the maximum', where: 'specs/a.yaml:12:7' },
          { metric: 'tuning.fwhm', expectation: 'increase ≥ 0.1 (absolute)', threshold: { increase: 0.1 }, observed: 30, baseline: 31, passed: false, reason: 'decreased by 1' },
        ] },
      { id: 'broken', kind: 'masks', where: 'specs/a.yaml:20:3', params: {}, seed: 7, durationMs: 0, measurements: {}, artifacts: [], checks: [],
        error: { code: 'E_LAYER', message: 'layer "mixed9" not found', hint: 'did you mean mixed2?' } },
    ],
  }],
  summary: { suites: 1, entries: 3, checks: 3, passed: 1, failed: 2, errors: 1 }, exitCode: 2,
};
