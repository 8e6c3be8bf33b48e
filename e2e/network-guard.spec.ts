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
