/*
 * Quick exit ("Exit this page"), modelled on the GOV.UK Design System component.
 *
 * - Clicking any [data-quick-exit] element, or pressing Shift three times within
 *   five seconds, hides the page at once, asks the server to forget the visitor
 *   (POST to the link's href: the session is flushed and Clear-Site-Data sent),
 *   empties this site's web storage, and replaces the current history entry with
 *   the neutral site in data-quick-exit-url.
 * - Without JavaScript the link itself (GET /exit/) does the same on the server.
 *
 * Also: focuses the error summary ([data-error-summary]) when a form comes back
 * with errors, so screen reader and keyboard users hear about them first.
 *
 * Safe to load on pages without an exit control: then only the focus helper acts.
 * Plain ES5, no libraries, no inline handlers, no eval (works under script-src 'self').
 */
(function () {
  'use strict';

  var HIDDEN_CLASS = 'is-exiting';
  var TRIGGER_SELECTOR = '[data-quick-exit]';
  var SHIFT_PRESSES_NEEDED = 3;
  var SHIFT_WINDOW_MS = 5000;

  var doc = document;
  var root = doc.documentElement;

  function findTrigger(element) {
    while (element && element !== doc) {
      if (element.nodeType === 1 && element.hasAttribute('data-quick-exit')) {
        return element;
      }
      element = element.parentNode;
    }
    return null;
  }

  // Only an http(s) address may be used as the destination.
  function safeDestination(value) {
    if (!value) {
      return null;
    }
    try {
      var url = new URL(value, window.location.href);
      if (url.protocol === 'https:' || url.protocol === 'http:') {
        return url.href;
      }
    } catch (error) {
      // Fall through: no usable destination.
    }
    return null;
  }

  function clearWebStorage() {
    try {
      window.sessionStorage.clear();
    } catch (error) {
      // Storage may be blocked; there is nothing in it to clear.
    }
    try {
      window.localStorage.clear();
    } catch (error) {
      // As above.
    }
  }

  function tellServer(endpoint) {
    if (!endpoint || typeof window.fetch !== 'function') {
      return;
    }
    try {
      window.fetch(endpoint, {
        method: 'POST',
        keepalive: true,
        credentials: 'same-origin',
        cache: 'no-store',
        // The endpoint answers with a redirect to another site: do not follow it.
        redirect: 'manual'
      }).catch(function () {
        // Leaving matters more than the answer.
      });
    } catch (error) {
      // Old browsers without keepalive support: carry on leaving.
    }
  }

  function exitPage(trigger) {
    var link = trigger || doc.querySelector(TRIGGER_SELECTOR);
    if (!link) {
      // Pages without an exit control (staff pages) have nothing to leave for.
      return;
    }

    // 1. Hide everything straight away.
    root.classList.add(HIDDEN_CLASS);

    var endpoint = link.getAttribute('href');
    var destination = safeDestination(link.getAttribute('data-quick-exit-url'));

    // 2. Ask the server to end the session and clear this site's data.
    tellServer(endpoint);

    // 3. Empty this site's storage in the browser.
    clearWebStorage();

    // 4. Leave, replacing this page in the history so Back does not return to it.
    if (destination) {
      window.location.replace(destination);
    } else if (endpoint) {
      // The endpoint flushes the session and redirects to the neutral site itself.
      window.location.replace(endpoint);
    } else {
      window.location.replace('about:blank');
    }
  }

  // --- Clicks (and Enter on the link, which fires a click)
  doc.addEventListener('click', function (event) {
    var trigger = findTrigger(event.target);
    if (!trigger) {
      return;
    }
    event.preventDefault();
    exitPage(trigger);
  });

  // --- Shift pressed on its own three times within five seconds.
  // Presses are counted on keyup, so holding Shift down (auto-repeat) counts once,
  // and a Shift used with another key (typing a capital letter) does not count.
  var shiftPresses = [];
  var shiftIsDown = false;
  var shiftUsedWithOtherKey = false;

  function isShift(event) {
    return event.key === 'Shift' || event.keyCode === 16;
  }

  doc.addEventListener('keydown', function (event) {
    if (isShift(event)) {
      if (!event.repeat && !shiftIsDown) {
        shiftIsDown = true;
        shiftUsedWithOtherKey = false;
      }
      return;
    }
    // Any other key breaks the sequence.
    shiftPresses = [];
    if (shiftIsDown) {
      shiftUsedWithOtherKey = true;
    }
  });

  doc.addEventListener('keyup', function (event) {
    if (!isShift(event)) {
      return;
    }
    var countsAsPress = shiftIsDown && !shiftUsedWithOtherKey;
    shiftIsDown = false;
    shiftUsedWithOtherKey = false;
    if (!countsAsPress) {
      return;
    }

    var now = Date.now();
    shiftPresses.push(now);
    shiftPresses = shiftPresses.filter(function (time) {
      return now - time <= SHIFT_WINDOW_MS;
    });
    if (shiftPresses.length >= SHIFT_PRESSES_NEEDED) {
      shiftPresses = [];
      exitPage(null);
    }
  });

  // Switching window or tab while Shift is down must not leave a stale state.
  window.addEventListener('blur', function () {
    shiftIsDown = false;
    shiftUsedWithOtherKey = false;
  });

  // --- Error summary: focus it so its problems are announced first.
  function focusErrorSummary() {
    var summary = doc.querySelector('[data-error-summary]');
    if (!summary) {
      return;
    }
    if (!summary.hasAttribute('tabindex')) {
      summary.setAttribute('tabindex', '-1');
    }
    summary.focus();
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', focusErrorSummary);
  } else {
    focusErrorSummary();
  }
})();
