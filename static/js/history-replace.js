/*
 * One entry in the browser's history for the whole public site.
 *
 * A family member may share this device with the person the police are investigating.
 * Whatever they do on the public pages, the portal keeps a single entry in the tab's
 * history, so after the quick exit (which replaces that entry with a neutral site) or
 * after sending their request, Back leads to whatever was open before the portal.
 *
 * - Links to this site replace the current entry (location.replace) instead of adding
 *   one. Links elsewhere, links opening a new tab or window, downloads and clicks with
 *   a modifier key are left to the browser; the quick exit is quick-exit.js's.
 * - GET forms to this site do the same with the address they would have opened.
 * - POST forms marked data-same-address (the self-referral: every answer to them is a
 *   redirect back to their own address) are sent with fetch, and the address is then
 *   opened with location.replace. Chromium adds a history entry for every POST, even to
 *   the page's own address, so a plain submit cannot keep to one entry. If the answer is
 *   a page rather than a redirect (a "please wait" page, an expired form), it is shown
 *   in place of this one, again without a new entry.
 * - Without JavaScript every form still works; each POST then adds an entry, but every
 *   one of them is the same address, which shows only where the visitor is now.
 *
 * Plain ES5 with fetch, no libraries, no inline handlers (works under script-src 'self').
 */
(function () {
  'use strict';

  var doc = document;
  var here = window.location;

  if (!window.URL || typeof here.replace !== 'function') {
    return;
  }

  function sameSite(url) {
    return url.protocol === here.protocol && url.host === here.host;
  }

  function closestLink(element) {
    while (element && element !== doc) {
      if (element.nodeType === 1 && element.tagName === 'A' && element.hasAttribute('href')) {
        return element;
      }
      element = element.parentNode;
    }
    return null;
  }

  // --- Links
  doc.addEventListener('click', function (event) {
    if (event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var link = closestLink(event.target);
    if (!link || link.hasAttribute('data-quick-exit') || link.hasAttribute('download')) {
      return;
    }
    var target = link.getAttribute('target');
    if (target && target !== '_self') {
      return;
    }
    var url;
    try {
      url = new URL(link.href, here.href);
    } catch (error) {
      return;
    }
    if (!sameSite(url)) {
      return;
    }
    event.preventDefault();
    here.replace(url.href);
  });

  // --- Forms
  function submitterOf(event) {
    return event.submitter || null;
  }

  function formFields(form, submitter) {
    var data = new window.FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    var fields = new window.URLSearchParams();
    data.forEach(function (value, name) {
      if (typeof value === 'string') {
        fields.append(name, value);
      }
    });
    return fields;
  }

  // As if the form had been sent the ordinary way (it then adds a history entry).
  function submitNatively(form, submitter) {
    if (submitter && submitter.name) {
      var carried = doc.createElement('input');
      carried.type = 'hidden';
      carried.name = submitter.name;
      carried.value = submitter.value;
      form.appendChild(carried);
    }
    window.HTMLFormElement.prototype.submit.call(form);
  }

  function focusFirst(selectors) {
    for (var i = 0; i < selectors.length; i += 1) {
      var element = doc.querySelector(selectors[i]);
      if (element) {
        if (!element.hasAttribute('tabindex')) {
          element.setAttribute('tabindex', '-1');
        }
        element.focus();
        return;
      }
    }
  }

  // Shows a page that came back instead of a redirect, in place of this one. Its
  // scripts are not run again: the ones running here already handle every page.
  function showPage(html) {
    var page = new window.DOMParser().parseFromString(html, 'text/html');
    var scripts = page.body.querySelectorAll('script');
    for (var i = 0; i < scripts.length; i += 1) {
      scripts[i].parentNode.removeChild(scripts[i]);
    }
    doc.title = page.title;
    doc.documentElement.replaceChild(doc.importNode(page.body, true), doc.body);
    window.scrollTo(0, 0);
    focusFirst(['[data-error-summary]', 'main']);
  }

  doc.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || form.nodeName !== 'FORM') {
      return;
    }
    if (!('submitter' in event) || !window.FormData || !window.URLSearchParams) {
      return;
    }
    var method = (form.getAttribute('method') || 'get').toLowerCase();
    var target = form.getAttribute('target');
    if (target && target !== '_self') {
      return;
    }
    var action;
    try {
      action = new URL(form.action, here.href);
    } catch (error) {
      return;
    }
    if (!sameSite(action)) {
      return;
    }
    var submitter = submitterOf(event);

    if (method === 'get') {
      event.preventDefault();
      action.search = formFields(form, submitter).toString();
      here.replace(action.href);
      return;
    }
    if (method !== 'post' || !form.hasAttribute('data-same-address') ||
        typeof window.fetch !== 'function') {
      return;
    }

    event.preventDefault();
    if (form.getAttribute('data-sending') === 'true') {
      // A second click while the first is on its way.
      return;
    }
    form.setAttribute('data-sending', 'true');
    window.fetch(action.href, {
      method: 'POST',
      body: formFields(form, submitter),
      credentials: 'same-origin',
      cache: 'no-store',
      // The answer is a redirect back to this address: open it as a replacement.
      redirect: 'manual'
    }).then(function (response) {
      if (response.type === 'opaqueredirect') {
        here.replace(action.href);
        return null;
      }
      return response.text().then(function (html) {
        form.removeAttribute('data-sending');
        showPage(html);
      });
    }).catch(function () {
      form.removeAttribute('data-sending');
      submitNatively(form, submitter);
    });
  });
})();
