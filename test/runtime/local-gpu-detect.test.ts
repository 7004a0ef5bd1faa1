import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GpuInventory, NVIDIA_SMI_ARGS, queryNvidiaSmi } from '../../src/runtime/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ployd-smi-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('GPU inventory from nvidia-smi', () => {
  it('runs the documented query and parses its output', async () => {
    const fake = join(dir, 'nvidia-smi');
    // Answers only the exact query the inventory is documented to run.
    writeFileSync(
      fake,
      `#!/bin/sh\nif [ "$*" = "${NVIDIA_SMI_ARGS.join(' ')}" ]; then printf '0, NVIDIA A100-SXM4-80GB, 81920, 3\\n1, NVIDIA A100-SXM4-80GB, 81920, 70000\\n'; else echo "unexpected args: $*" >&2; exit 9; fi\n`,
    );
    chmodSync(fake, 0o755);
    const inv = await GpuInventory.detect({ command: fake });
    expect(inv.gpus).toEqual([
      { index: 0, name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 3 },
      { index: 1, name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 70000 },
    ]);
    expect(inv.allocate('r', 2, 'A100')).toEqual({ gpus: [0, 1] });
  });

  it('is empty when nvidia-smi is missing or fails', async () => {
    expect(await queryNvidiaSmi({ command: join(dir, 'absent') })).toEqual([]);
    const failing = join(dir, 'failing');
    writeFileSync(failing, '#!/bin/sh\necho "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver" >&2\nexit 9\n');
    chmodSync(failing, 0o755);
    expect(await queryNvidiaSmi({ command: failing })).toEqual([]);
  });
});
