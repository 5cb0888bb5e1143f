import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Request } from 'express';
import { requestIdOf } from '../http/request-id.middleware';
import { Clock } from '../clock';
import { clsMountedByMiddleware } from './mounted-cls';
import { RequestContext } from './request-context';

/** Request-scoped context (nestjs-cls), the transaction host that services use, and the clock. */
@Global()
@Module({
  imports: [
    clsMountedByMiddleware({
      global: true,
      middleware: {
        mount: true,
        generateId: true,
        idGenerator: (req: Request) => requestIdOf(req),
        // Nothing here reads the request from the store, defines proxy providers or plugin setup hooks (the
        // transactional plugin has none); each of these costs every request an await.
        saveReq: false,
        resolveProxyProviders: false,
        initializePlugins: false,
      },
      plugins: [
        new ClsPluginTransactional({
          adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
          enableTransactionProxy: false,
        }),
      ],
    }),
  ],
  providers: [RequestContext, Clock],
  exports: [RequestContext, Clock],
})
export class ContextModule {}
