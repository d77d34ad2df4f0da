/* portal.js — 技能人才评价机构备案监管平台. Vanilla, no dependencies; loaded in <head>
   (adds html.js + document-level listeners only, so it never waits for the DOM).
   (a) POST forms and form[data-once] submit once; pressed button reads "提交中…"
       (override: data-busy-text on the form; opt out: data-once="off").
   (b) .nav-toggle opens/closes the phone menu.  (c) [data-confirm="…"] asks first. */
(function () {
  'use strict';
  var doc = document, root = doc.documentElement;
  root.classList.add('js');
  var BUSY = /^en/i.test(root.lang) ? 'Submitting…' : '提交中…';

  function buttons(form) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.type === 'submit'; });
  }
  function guarded(form) {
    var once = form.getAttribute('data-once');
    if (once === 'off' || once === 'false') return false;
    if (form.target && form.target !== '_self') return false;   // new tab: page stays usable
    return once !== null || (form.getAttribute('method') || '').toLowerCase() === 'post';
  }
  function release(form) {
    form.removeAttribute('data-submitting');
    buttons(form).forEach(function (b) {
      if (b.hasAttribute('data-label')) {
        if (b.tagName === 'INPUT') b.value = b.getAttribute('data-label'); else b.innerHTML = b.getAttribute('data-label');
        b.removeAttribute('data-label');
      }
      b.disabled = false; b.removeAttribute('aria-disabled');
    });
  }
  function setMenu(header, open) {
    header.classList.toggle('nav-open', open);
    var t = header.querySelector('.nav-toggle');
    if (t) t.setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  doc.addEventListener('click', function (e) {
    var el = e.target.closest && e.target.closest('[data-confirm]');
    if (el && el.tagName !== 'FORM' && !window.confirm(el.getAttribute('data-confirm'))) {
      e.preventDefault(); e.stopImmediatePropagation(); return;
    }
    var t = e.target.closest && e.target.closest('.nav-toggle');
    var header = t && t.closest('.site-header');
    if (header) setMenu(header, !header.classList.contains('nav-open'));
  }, true);

  doc.addEventListener('keydown', function (e) {
    var header = doc.querySelector('.site-header.nav-open');
    if (!header || (e.key !== 'Escape' && e.key !== 'Esc')) return;
    setMenu(header, false);
    header.querySelector('.nav-toggle').focus();
  });

  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented) return;
    var msg = form.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) { e.preventDefault(); return; }
    if (!guarded(form)) return;
    if (form.hasAttribute('data-submitting')) { e.preventDefault(); return; }
    form.setAttribute('data-submitting', '');
    var pressed = e.submitter || buttons(form)[0], busy = form.getAttribute('data-busy-text') || BUSY;
    // Disable on the next tick so the pressed button's name=value is still submitted.
    setTimeout(function () {
      buttons(form).forEach(function (b) {
        if (b === pressed) {
          b.setAttribute('data-label', b.tagName === 'INPUT' ? b.value : b.innerHTML);
          if (b.tagName === 'INPUT') b.value = busy; else b.textContent = busy;
        }
        b.disabled = true; b.setAttribute('aria-disabled', 'true');
      });
    }, 0);
  });

  // Back/forward cache restores the page as we left it: re-enable the buttons.
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) Array.prototype.forEach.call(doc.querySelectorAll('form[data-submitting]'), release);
  });
})();
