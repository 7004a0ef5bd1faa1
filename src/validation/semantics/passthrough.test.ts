import { describe, expect, it } from 'vitest';
import { checkPassthrough } from './passthrough.ts';
import { MODEL, pos, setup } from './test-helpers.ts';

describe('passthrough kinds', () => {
  it('reports each plain Kubernetes resource once, as info at its kind', () => {
    const text = `${MODEL('m')}---
apiVersion: v1
kind: Service
metadata:
  name: llama-3.1-8b-service
spec:
  ports: [{ port: 8080 }]
`;
    const ds = checkPassthrough(setup(text).inputs);
    expect(ds).toEqual([
      {
        severity: 'info',
        code: 'W_PASSTHROUGH',
        message: 'the local runtime cannot act on Service; it is passed to the Kubernetes target',
        file: 'test.yaml',
        ...pos(text, 'kind: Service'),
        path: 'kind',
        resource: 'Service/-/llama-3.1-8b-service',
      },
    ]);
  });
});
