import { Injectable } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../../common/metrics/metrics-registry';

interface Series {
  requests: Counter.Internal;
  duration: Histogram.Internal<'method' | 'route' | 'status'>;
}

/** HTTP request metrics, and the rendering of every series of the app's registry. */
@Injectable()
export class MetricsService {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  /** Bounded: the routes' templates × methods × the statuses they answer. */
  private readonly series = new Map<string, Series>();

  constructor(private readonly registry: MetricsRegistry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** Records every response under its route template (never the raw path, to bound label cardinality). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        const routePath = (req.route as { path?: unknown } | undefined)?.path;
        const template = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : '';
        // Nest answers unknown paths from a catch-all route; keep those out of the per-route series.
        const route = template && !template.includes('*') ? template : 'unmatched';
        const series = this.seriesOf(req.method, route, res.statusCode);
        series.requests.inc();
        series.duration.observe((performance.now() - started) / 1000);
      });
      next();
    };
  }

  /** The labelled children of one method, route and status, looked up once: prom-client hashes the labels per call. */
  private seriesOf(method: string, route: string, status: number): Series {
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (series === undefined) {
      const labels = { method, route, status: String(status) };
      series = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.series.set(key, series);
    }
    return series;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
