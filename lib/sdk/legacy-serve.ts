import type { LoggerService } from '@nestjs/common';
import type { SessionRecord } from '../contract/session-record';
import { errorMessage, shortId } from '../contract/session-store.error';
import type { LegacyExchange } from './legacy-leg';
import type { LocalSession } from './local-sessions';
import { type RequestScope, requestScope } from './request-scope';
import type { Sdk } from './sdk-loader';
import { STANDALONE_STREAM } from './session-events';
import type { SessionFactory } from './session-factory';
import { catchUp, storedState } from './session-state';
import { sendWebResponse } from './web-http';

/**
 * Serves one request on a local session's SDK transport and writes the
 * answer. A GET that opens (or resumes) the client's standalone stream
 * counts as this process holding that stream until it ends, so that
 * messages of other instances for it come here.
 */
export async function serveOn(
  sdk: Sdk,
  session: LocalSession,
  exchange: LegacyExchange,
): Promise<void> {
  const scope: RequestScope = { abandoned: () => exchange.res.destroyed };
  const serve = () =>
    session.transport.handleRequest(exchange.web, {
      parsedBody: exchange.body,
      authInfo: exchange.authInfo as never,
    });
  // Only an event store reads the scope; entering one turns on Node's promise
  // hooks for good, a cost every later promise of the process pays.
  const answer = session.link.resumable ? await requestScope.run(scope, serve) : await serve();
  const stream = exchange.req.method === 'GET' && answer.status === 200 && answer.body !== null;
  const resumed = scope.replayed;
  if (stream && (resumed === undefined || resumed.streamId === STANDALONE_STREAM)) {
    session.streams++;
    try {
      return await sendWebResponse(answer, exchange.res);
    } finally {
      session.streams--;
    }
  }
  if (
    stream &&
    resumed !== undefined &&
    sdk.line === 1 &&
    !session.link.answersOn(resumed.streamId)
  ) {
    // SDK v2 closes a resumed stream whose request is in progress on no
    // transport here once it has replayed; v1 keeps it open with nothing to
    // ever write. End it after the replay, as v2 does: the client resumes
    // again and gets the rest from the event store.
    return sendWebResponse(answer, exchange.res, resumed.count);
  }
  await sendWebResponse(answer, exchange.res);
}

/**
 * Replays into a local session the state changes (log level, resource
 * subscriptions) that other instances stored with `record` since its server
 * last heard of them, one sync per session at a time. A refusal is logged;
 * the request is served all the same.
 */
export async function catchUpState(
  factory: SessionFactory,
  session: LocalSession,
  record: SessionRecord,
  request: object,
  logger: LoggerService,
): Promise<void> {
  if (catchUp(session.link.state, storedState(record)).length === 0) return;
  const run = (session.syncing ?? Promise.resolve())
    .then(() => factory.sync(session, record, request))
    .catch((error: unknown) => {
      logger.warn(
        `Could not bring session ${shortId(record.id)} up to date: ${errorMessage(error)}`,
      );
    });
  session.syncing = run;
  await run;
}
