import { describe, expect, it } from 'vitest';
import { parsePort, redact, serveConfig, storageConfig, UsageError } from './config.ts';

describe('storageConfig', () => {
  it('defaults to ./heron-data under the working directory and no database URL', () => {
    expect(storageConfig({}, {}, '/srv')).toEqual({ dataDir: '/srv/heron-data' });
  });

  it('takes HERON_DATA_DIR and DATABASE_URL from the environment', () => {
    const config = storageConfig({}, { HERON_DATA_DIR: 'data', DATABASE_URL: 'postgres://u@db:5432/heron' }, '/srv');
    expect(config).toEqual({ dataDir: '/srv/data', databaseUrl: 'postgres://u@db:5432/heron' });
  });

  it('lets flags win over the environment', () => {
    const config = storageConfig({ data: '/abs', databaseUrl: 'postgresql://x@y/z' }, { HERON_DATA_DIR: 'env', DATABASE_URL: 'postgres://a@b/c' }, '/srv');
    expect(config).toEqual({ dataDir: '/abs', databaseUrl: 'postgresql://x@y/z' });
  });

  it('takes HERON_PG_SCHEMA with a database URL only, and checks it is a plain identifier', () => {
    expect(storageConfig({}, { DATABASE_URL: 'postgres://h/db', HERON_PG_SCHEMA: 'heron_t_1' }, '/')).toEqual({ dataDir: '/heron-data', databaseUrl: 'postgres://h/db', pgSchema: 'heron_t_1' });
    expect(storageConfig({}, { HERON_PG_SCHEMA: 'heron_t_1' }, '/')).toEqual({ dataDir: '/heron-data' });
    expect(() => storageConfig({}, { DATABASE_URL: 'postgres://h/db', HERON_PG_SCHEMA: 'x"; drop' }, '/')).toThrow(/HERON_PG_SCHEMA must be/);
  });

  it('treats empty variables as unset', () => {
    expect(storageConfig({}, { DATABASE_URL: '', HERON_DATA_DIR: ' ' }, '/srv')).toEqual({ dataDir: '/srv/heron-data' });
  });

  it('rejects a database URL that is not PostgreSQL, without echoing the password', () => {
    expect(() => storageConfig({}, { DATABASE_URL: 'mysql://root:hunter2@db/x' }, '/')).toThrow(UsageError);
    expect(() => storageConfig({}, { DATABASE_URL: 'mysql://root:hunter2@db/x' }, '/')).toThrow(/mysql:\/\/root:\*\*\*@db/);
  });
});

describe('serveConfig', () => {
  it('defaults to 0.0.0.0:8080 without demo', () => {
    const config = serveConfig({}, {}, '/srv');
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', demo: false, dataDir: '/srv/heron-data', logLevel: 'info' });
    expect(config.publicUrl).toBeUndefined();
  });

  it('reads PORT and HOST, and flags override them', () => {
    expect(serveConfig({}, { PORT: '9000', HOST: '127.0.0.1' }, '/')).toMatchObject({ port: 9000, host: '127.0.0.1' });
    expect(serveConfig({ port: '9100', host: '::1' }, { PORT: '9000', HOST: '127.0.0.1' }, '/')).toMatchObject({ port: 9100, host: '::1' });
  });

  it('takes mail settings for account links, and says what is wrong with them', () => {
    expect(serveConfig({}, {}, '/').mail).toBeUndefined();
    expect(serveConfig({}, { HERON_SMTP_URL: 'smtps://u:p@mail.example.org:465', HERON_MAIL_FROM: 'EHR <ehr@example.org>' }, '/').mail).toEqual({ smtpUrl: 'smtps://u:p@mail.example.org:465', from: 'EHR <ehr@example.org>' });
    expect(() => serveConfig({}, { HERON_SMTP_URL: 'mail.example.org', HERON_MAIL_FROM: 'ehr@example.org' }, '/')).toThrow(/HERON_SMTP_URL must be an smtp/);
    expect(() => serveConfig({}, { HERON_SMTP_URL: 'smtp://mail.example.org' }, '/')).toThrow(/HERON_MAIL_FROM must be/);
  });

  it('passes --demo through', () => {
    expect(serveConfig({ demo: true }, {}, '/').demo).toBe(true);
  });

  it('names the source of a bad port', () => {
    expect(() => serveConfig({ port: 'eighty' }, {}, '/')).toThrow(/--port must be a port number between 0 and 65535; got "eighty"/);
    expect(() => serveConfig({}, { PORT: '70000' }, '/')).toThrow(/^PORT must be a port number/);
  });

  it('validates HERON_PUBLIC_URL and strips a trailing slash', () => {
    expect(serveConfig({}, { HERON_PUBLIC_URL: 'https://ehr.example.org/' }, '/').publicUrl).toBe('https://ehr.example.org');
    expect(() => serveConfig({}, { HERON_PUBLIC_URL: 'ehr.example.org' }, '/')).toThrow(UsageError);
    expect(() => serveConfig({ publicUrl: 'ftp://x' }, {}, '/')).toThrow(/http or https/);
  });

  it('rejects an unknown LOG_LEVEL', () => {
    expect(() => serveConfig({}, { LOG_LEVEL: 'loud' }, '/')).toThrow(/LOG_LEVEL must be one of/);
  });
});

describe('parsePort', () => {
  it.each([
    ['0', 0],
    ['80', 80],
    ['65535', 65535],
  ])('accepts %s', (text, port) => {
    expect(parsePort(text, 'PORT')).toBe(port);
  });

  it.each(['-1', '65536', '8080.5', '0x50', ' 80a', '123456'])('rejects %s', (text) => {
    expect(() => parsePort(text, 'PORT')).toThrow(UsageError);
  });

  it('defaults to 8080 when unset', () => {
    expect(parsePort(undefined, 'PORT')).toBe(8080);
  });
});

describe('redact', () => {
  it('hides the password only', () => {
    expect(redact('postgres://heron:s3cret@db:5432/heron')).toBe('postgres://heron:***@db:5432/heron');
    expect(redact('postgres://heron@db/heron')).toBe('postgres://heron@db/heron');
  });
});
