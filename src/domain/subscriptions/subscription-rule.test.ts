import type { Subscription } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import type { StoreTransaction, VersionWrite } from '../../store/store.ts';
import type { Ctx } from '../context.ts';
import { subscriptionRule } from './subscription-rule.ts';

function run(resource?: Subscription): Promise<void> {
  const write: VersionWrite = { resourceType: 'Subscription', id: 's1', method: resource ? 'POST' : 'DELETE', ...(resource ? { resource } : {}) };
  return subscriptionRule({ ctx: {} as Ctx, tx: {} as StoreTransaction, write, current: async () => undefined });
}

const subscription = (over: Partial<Subscription> = {}): Subscription => ({
  resourceType: 'Subscription',
  status: 'requested',
  reason: 'Inbox',
  criteria: 'Task?owner=Practitioner/1',
  channel: { type: 'websocket' },
  ...over,
});

describe('Subscription write rule', () => {
  it('activates a requested websocket Subscription with valid criteria', async () => {
    const s = subscription();
    await run(s);
    expect(s.status).toBe('active');
  });

  it('keeps a Subscription that was turned off, off', async () => {
    const s = subscription({ status: 'off' });
    await run(s);
    expect(s.status).toBe('off');
  });

  it('refuses channels Heron does not deliver', async () => {
    await expect(run(subscription({ channel: { type: 'rest-hook', endpoint: 'https://example.org/hook' } }))).rejects.toThrow(/websocket only/);
  });

  it('refuses criteria it cannot evaluate', async () => {
    await expect(run(subscription({ criteria: 'Task?colour=blue' }))).rejects.toThrow(/colour/);
  });

  it('lets a delete through', async () => {
    await expect(run()).resolves.toBeUndefined();
  });
});
