import { writeFileSync } from 'node:fs';
import { alertRules } from '../../sdk/index.ts';
import type { RegisterCommand } from '../context.ts';

interface AlertsFlags {
  output?: string;
  outOfSyncFor: string;
  unhealthyFor: string;
}

/**
 * `ployd alerts`: the Prometheus alerting rules for PloyD (applications out of sync or unhealthy,
 * gateway errors), the same Monitoring.setupAlerts returns. Check them with `promtool check rules`.
 *
 * @example
 * ployd alerts --output ployd-alerts.yaml && promtool check rules ployd-alerts.yaml
 */
export const registerAlerts: RegisterCommand = (program) => {
  program
    .command('alerts')
    .description('Write the Prometheus alerting rules (out-of-sync, unhealthy, gateway errors)')
    .option('--output <file>', 'write to a file instead of stdout')
    .option('--out-of-sync-for <duration>', 'how long an app may stay OutOfSync', '15m')
    .option('--unhealthy-for <duration>', 'how long an app may stay unhealthy', '10m')
    .action((flags: AlertsFlags) => {
      const { yaml } = alertRules({ outOfSyncFor: flags.outOfSyncFor, unhealthyFor: flags.unhealthyFor });
      if (flags.output !== undefined) writeFileSync(flags.output, yaml);
      else process.stdout.write(yaml);
    });
};
