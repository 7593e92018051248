// Preloaded into the local OpenID Provider (node --require ./clock.cjs provider.js) so that it
// runs on the test's clock: the tests freeze Python's clock on a fixed day (backa/conftest.py,
// time-machine), and an ID token issued on the machine's real clock would be "not yet valid"
// or expired there. PEER_CLOCK_OFFSET_MS (test clock minus real clock) shifts Date.now() and
// new Date(); both clocks then tick at the same rate. Unset or 0: the real clock.
//
// The provider's cookies are judged by two clients on two clocks: the tests' HTTP client on the
// test clock and the browser (Playwright) on the real one. So a cookie set to expire in the future
// loses its Expires and lives for the browser session (no test waits for one to expire), and a
// deleted one (Expires in the past, 1970) stays deleted for both.
'use strict';

const http = require('node:http');

const offset = Number(process.env.PEER_CLOCK_OFFSET_MS || 0);
if (offset) {
  const RealDate = Date;
  class TestClockDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }

    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = TestClockDate;

  const onAnyClock = (cookie) => String(cookie).replace(/;\s*expires=([^;]+)/i, (attribute, when) => (
    RealDate.parse(when) <= TestClockDate.now() ? attribute : ''));
  const setHeader = http.OutgoingMessage.prototype.setHeader;
  http.OutgoingMessage.prototype.setHeader = function setHeaderOnAnyClock(name, value) {
    if (String(name).toLowerCase() === 'set-cookie') {
      value = Array.isArray(value) ? value.map(onAnyClock) : onAnyClock(value);
    }
    return setHeader.call(this, name, value);
  };
}
