import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { optionalString, requirePort } from '../../shared/src/env.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { AppModule } from './app.module.js';
import { requirePlainBody } from './users/plain-body.middleware.js';
import { requireJson } from './users/require-json.middleware.js';
import { requireUtf8 } from './users/utf8.js';

/** A user is two short strings: anything bigger than this is not a user. */
const MAX_BODY = '10kb';

run(async () => {
  const port = requirePort('PORT');
  replicaId();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    abortOnError: false,
  });
  app.use('/users', requireJson);
  app.useBodyParser('json', { limit: MAX_BODY, verify: requireUtf8 });
  app.use('/users', requirePlainBody);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true, // unknown fields are a 400, not silently dropped
      forbidUnknownValues: true,
      transform: true, // the handler gets the DTO as validated (names trimmed)
    }),
  );
  app.enableShutdownHooks();
  // 0.0.0.0 in a container; the local runtime sets HOST=127.0.0.1.
  await app.listen(port, optionalString('HOST', '0.0.0.0'));
  announceReady(`gateway listening on port ${port}`);
});
