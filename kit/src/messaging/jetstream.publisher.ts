import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import { MessageLogError, type OutgoingMessage, type PublishResult } from './message-log.port.js';

/** The ordering key travels in this header; the adapter reserves it. */
export const keyHeader = 'key';
export const msgIdHeader = 'Nats-Msg-Id';

/** One publish() call: its messages' PubAcks come back to `<inbox>.<call>.<index>`. */
interface Call {
  messages: OutgoingMessage[];
  results: PublishResult[];
  sent: number;
  replied: number;
  /** When a PubAck last came back (or the call started): the timeout runs from there. */
  progressAt: number;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
  resolve: (results: PublishResult[]) => void;
  reject: (error: unknown) => void;
}

const decoder = new TextDecoder();

/**
 * JetStream publishing without a request per message: each message is a core publish whose reply
 * subject names its call and position, and one subscription on the inbox takes every PubAck.
 * nats.js' `js.publish` spends a promise chain, a timer and two `NatsError`s per message on its
 * request; this spends a reply subject and a parsed PubAck, and one timer per call.
 *
 * At most `window` publishes await their PubAck at once over all calls; past it, a call waits
 * until half the window has come back, then writes the next half in one go (one connection keeps
 * them in order on the wire, so the stream stores them in order). A call fails at the first error
 * PubAck, or when no PubAck has come back for `timeoutMs`; later messages may still have been
 * stored (a retry with the same ids is dropped as a duplicate).
 */
export class JetStreamPublisher {
  private readonly inbox = `${createInbox()}.`;
  private readonly calls = new Map<number, Call>();
  private readonly subscription: Subscription;
  private readonly waiters: (() => void)[] = [];
  private nextCall = 0;
  private outstanding = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: { window: number; timeoutMs: number },
  ) {
    this.subscription = nc.subscribe(`${this.inbox}>`, {
      callback: (_error, reply) => this.onReply(reply),
    });
  }

  publish(messages: OutgoingMessage[]): Promise<PublishResult[]> {
    if (messages.length === 0) return Promise.resolve([]);
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      const call: Call = {
        messages,
        results: new Array(messages.length),
        sent: 0,
        replied: 0,
        progressAt: Date.now(),
        timer: undefined,
        done: false,
        resolve,
        reject,
      };
      this.calls.set(id, call);
      this.armTimer(id, call, this.options.timeoutMs);
      void this.send(id, call);
    });
  }

  /** Stops taking PubAcks (the connection's drain flushes what is left). */
  close(): void {
    this.subscription.unsubscribe();
  }

  private async send(id: number, call: Call): Promise<void> {
    const replyPrefix = `${this.inbox}${id}.`;
    const { messages } = call;
    for (let i = 0; i < messages.length && !call.done; i++) {
      if (this.outstanding >= this.options.window) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        if (call.done) return;
      }
      const message = messages[i]!;
      try {
        this.nc.publish(message.topic, message.value, {
          reply: replyPrefix + i,
          headers: encodeHeaders(message),
        });
      } catch (error) {
        this.fail(id, call, publishFailed(message.topic, error));
        return;
      }
      this.outstanding++;
      call.sent++;
    }
  }

  private onReply(reply: Msg): void {
    const { subject } = reply;
    const dot = subject.lastIndexOf('.');
    const id = Number(subject.slice(this.inbox.length, dot));
    const call = this.calls.get(id);
    // A call that failed or timed out already gave its window back.
    if (!call) return;
    const index = Number(subject.slice(dot + 1));
    const topic = call.messages[index]?.topic ?? '?';
    this.outstanding--;
    call.replied++;
    call.progressAt = Date.now();
    this.wake();
    // No responders: no stream listens on the subject.
    if (reply.headers?.code === 503) {
      this.fail(
        id,
        call,
        new MessageLogError(`no JetStream stream captures "${topic}"`, 'no-stream'),
      );
      return;
    }
    let ack: { seq?: number; duplicate?: boolean; error?: { description?: string } };
    try {
      ack = JSON.parse(decoder.decode(reply.data)) as typeof ack;
    } catch (error) {
      this.fail(id, call, publishFailed(topic, error));
      return;
    }
    if (ack.error || ack.seq === undefined) {
      this.fail(id, call, publishFailed(topic, new Error(ack.error?.description ?? 'no PubAck')));
      return;
    }
    call.results[index] = { duplicate: ack.duplicate === true, partition: 0, offset: `${ack.seq}` };
    if (call.replied === call.messages.length) {
      this.finish(id, call);
      call.resolve(call.results);
    }
  }

  private fail(id: number, call: Call, error: MessageLogError): void {
    if (call.done) return;
    this.outstanding -= call.sent - call.replied;
    this.finish(id, call);
    this.wake();
    call.reject(error);
  }

  private finish(id: number, call: Call): void {
    call.done = true;
    clearTimeout(call.timer);
    this.calls.delete(id);
  }

  /** Resumes waiting calls once half the window is free, so each writes a large run at once. */
  private wake(): void {
    if (this.waiters.length === 0 || this.outstanding > this.options.window / 2) return;
    for (const resume of this.waiters.splice(0)) resume();
  }

  private armTimer(id: number, call: Call, ms: number): void {
    call.timer = setTimeout(() => {
      const idle = Date.now() - call.progressAt;
      if (idle < this.options.timeoutMs) this.armTimer(id, call, this.options.timeoutMs - idle);
      else
        this.fail(
          id,
          call,
          publishFailed(call.messages[call.replied]?.topic ?? '?', new Error('PubAck timed out')),
        );
    }, ms);
  }
}

function publishFailed(subject: string, cause: unknown): MessageLogError {
  return new MessageLogError(`publish to "${subject}" was not acknowledged`, 'publish-failed', {
    cause,
  });
}

const crlf = /[\r\n]/;

/**
 * The NATS header block of a message, encoded directly. nats.js only calls `encode()` on a
 * message's headers when it publishes; its own `MsgHdrs` validates and searches its map on every
 * `set`, a quadratic walk that showed in the bridge's profile. Names must be printable ASCII
 * without `:`, values free of CR and LF (values are trimmed, as nats.js does).
 */
function encodeHeaders(message: OutgoingMessage): MsgHdrs | undefined {
  let block = '';
  for (const name in message.headers) {
    // The adapter's own headers win over a user header of the same name.
    if ((name === keyHeader && message.key !== null) || (name === msgIdHeader && message.id))
      continue;
    block += headerLine(name, message.headers[name]!);
  }
  if (message.key !== null) block += headerLine(keyHeader, message.key);
  if (message.id) block += headerLine(msgIdHeader, message.id);
  if (block === '') return undefined;
  const encoded = Buffer.from(`NATS/1.0${block}\r\n\r\n`);
  return { encode: () => encoded } as unknown as MsgHdrs;
}

function headerLine(name: string, value: string): string {
  if (!validHeaderName(name) || crlf.test(value))
    throw new Error(`header ${JSON.stringify(name)} cannot travel on NATS`);
  return `\r\n${name}: ${value.trim()}`;
}

function validHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126 || c === 58) return false;
  }
  return true;
}
