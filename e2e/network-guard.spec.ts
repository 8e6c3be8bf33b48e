import { expect, test } from './helpers/fixtures';
import { URLS } from './helpers/servers';

test('the browser reaches nothing beyond loopback: a request to another host is aborted before it leaves', async ({
  page,
  blockedRequests,
}) => {
  await page.goto(`${URLS.demo}/`);
  const failed = page.waitForEvent('requestfailed', (r) =>
    r.url().startsWith('https://example.com/'),
  );
  const outcome = await page.evaluate(() =>
    fetch('https://example.com/probe').then(
      () => 'reached',
      () => 'failed',
    ),
  );
  expect(outcome).toBe('failed');
  expect((await failed).failure()?.errorText).toMatch(/^net::ERR_BLOCKED_BY_CLIENT/);
  expect(blockedRequests).toEqual(['https://example.com/probe']);
});

test.describe('with the HTTP cache on (no request routing)', () => {
  test.use({ httpCache: true });

  test('the browser reaches nothing beyond loopback: a request to another host fails at the closed loopback proxy', async ({
    page,
    blockedRequests,
  }) => {
    await page.goto(`${URLS.demo}/`);
    const failed = page.waitForEvent('requestfailed', (r) =>
      r.url().startsWith('https://example.com/'),
    );
    const outcome = await page.evaluate(() =>
      fetch('https://example.com/probe').then(
        () => 'reached',
        () => 'failed',
      ),
    );
    expect(outcome).toBe('failed');
    expect((await failed).failure()?.errorText).toMatch(/^net::ERR_PROXY_CONNECTION_FAILED/);
    expect(blockedRequests).toEqual(['https://example.com/probe']);
  });
});
