import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from '../core/redaction';

export const SERVICE_NAME = 'nhs-login-rp';

/**
 * The one configured Powertools logger of a function (structured JSON, redacting replacer). Log level from
 * `POWERTOOLS_LOG_LEVEL` (Powertools' own variable), INFO by default.
 */
export function createLogger(options: { serviceName?: string; logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' } = {}): Logger {
  return new Logger({
    serviceName: options.serviceName ?? SERVICE_NAME,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    jsonReplacerFn: (key: string, value: unknown) => redactingReplacer(key, value) as never,
  });
}

/**
 * A logger that hands every finished JSON line to `sink` instead of stdout (the local stack's console and the
 * tests that prove nothing sensitive is ever logged). The lines are exactly what CloudWatch would receive.
 */
export class SinkLogger extends Logger {
  #sink: (line: string) => void = () => undefined;

  static create(sink: (line: string) => void, options: { serviceName?: string; logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' } = {}): SinkLogger {
    const logger = new SinkLogger({
      serviceName: options.serviceName ?? SERVICE_NAME,
      logLevel: options.logLevel ?? 'DEBUG',
      jsonReplacerFn: (key: string, value: unknown) => redactingReplacer(key, value) as never,
    });
    logger.#sink = sink;
    return logger;
  }

  protected override printLog(_logLevel: number, log: Parameters<Logger['printLog']>[1]): void {
    this.#sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}
