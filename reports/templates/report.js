(function () {
  'use strict';
  // Items come from the JSON data island and are drawn a page at a time with textContent only:
  // post text is never parsed as HTML.
  var D = JSON.parse(document.getElementById('data').textContent);
  var CATS = D.cats, TITLES = D.titles, LEARNED = D.learned, REASONS = D.reasons, ITEMS = D.items;
  var STATUSES = ['delete', 'lock', 'keep', 'not_a_problem'];
  var LABELS = { delete: 'delete', lock: 'lock', keep: 'keep', not_a_problem: 'not a problem' };
  var DISMISSED = { keep: true, not_a_problem: true };
  var STORE = 'backscroll:decisions:' + D.id;
  var $ = function (id) { return document.getElementById(id); };
  // Served by `backscroll serve`: decisions live in the app's database, `local` mirrors it.
  var SERVED = D.served === true, TOKEN = null, pending = 0;

  var local = {}, canStore = !SERVED;
  if (SERVED) {
    ITEMS.forEach(function (rec) { if (rec.dc) local[rec.k] = { status: rec.dc, at: rec.da }; });
  } else {
    try {
      local = JSON.parse(window.localStorage.getItem(STORE) || '{}') || {};
    } catch (e) {
      canStore = false;
    }
  }
  function save() {
    if (!canStore) return;
    try { window.localStorage.setItem(STORE, JSON.stringify(local)); } catch (e) { canStore = false; $('storage-warn').hidden = false; }
  }
  // A decision made on this page wins over the stored one only if it is newer.
  function decision(rec) {
    if (SERVED) return local[rec.k] ? local[rec.k].status || null : null;
    var l = local[rec.k];
    if (l && (!rec.da || l.at > rec.da)) return l.status;
    return rec.dc || null;
  }
  function unsaved() {
    if (SERVED) return pending;
    var n = 0;
    ITEMS.forEach(function (rec) { var l = local[rec.k]; if (l && (!rec.da || l.at > rec.da) && (l.status || null) !== (rec.dc || null)) n++; });
    return n;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  // Bidi controls in untrusted text are shown as markers, not applied: an unterminated U+202E
  // would draw the rest of a post backwards. Only the drawing changes; the data and its offsets
  // do not. _bidi.html marks the same characters for the server-drawn pages.
  var BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
  var BIDI_NAMES = {
    '\u202A': ['LRE', 'left-to-right embedding'], '\u202B': ['RLE', 'right-to-left embedding'],
    '\u202C': ['PDF', 'pop directional formatting'], '\u202D': ['LRO', 'left-to-right override'],
    '\u202E': ['RLO', 'right-to-left override'], '\u2066': ['LRI', 'left-to-right isolate'],
    '\u2067': ['RLI', 'right-to-left isolate'], '\u2068': ['FSI', 'first strong isolate'],
    '\u2069': ['PDI', 'pop directional isolate'], '\u200E': ['LRM', 'left-to-right mark'],
    '\u200F': ['RLM', 'right-to-left mark'], '\u061C': ['ALM', 'Arabic letter mark']
  };
  function addText(parent, s) {
    var at = 0, m;
    BIDI.lastIndex = 0;
    while ((m = BIDI.exec(s)) !== null) {
      if (m.index > at) parent.appendChild(document.createTextNode(s.slice(at, m.index)));
      var name = BIDI_NAMES[m[0]], code = m[0].charCodeAt(0).toString(16).toUpperCase();
      var marker = el('span', 'bidi', '\u27E8' + name[0] + '\u27E9');
      marker.title = 'U+' + ('000' + code).slice(-4) + ' ' + name[1] + ' (shown, not applied)';
      parent.appendChild(marker);
      at = m.index + 1;
    }
    if (at < s.length) parent.appendChild(document.createTextNode(s.slice(at)));
    return parent;
  }
  function isolated(tag, s) { return addText(document.createElement(tag), s); }
  function safeUrl(u) { return /^https?:\/\//i.test(u || '') ? u : null; }
  // Times carry their local offset: compared as instants, so the hour repeated when clocks go back sorts right.
  function moment(rec) {
    if (rec.t0 === undefined) rec.t0 = rec.d ? Date.parse(rec.d) : 0;
    return rec.t0;
  }

  function when(d) {
    if (!d) return 'undated';
    var offset = d.slice(19);
    return d.slice(0, 16).replace('T', ' ') + ' UTC' + (offset === '' || offset === 'Z' || offset === '+00:00' ? '' : offset);
  }

  function renderItem(rec) {
    var dec = decision(rec);
    var art = el('article', 'item ' + rec.x + (DISMISSED[dec] ? ' dismissed' : ''));
    art.tabIndex = -1;
    art.dataset.key = rec.k;
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'risk', 'risk ' + rec.r));
    meta.appendChild(el('span', 'action', rec.x));
    rec.f.forEach(function (c) { meta.appendChild(el('span', 'tag ' + CATS[c], TITLES[c])); });
    meta.appendChild(el('span', null, rec.p + ' ' + rec.n.replace(/_/g, ' ')));
    var time = el('time', null, when(rec.d));
    if (rec.d) time.setAttribute('datetime', rec.d);
    meta.appendChild(time);
    meta.appendChild(el('span', null, 'audience: ' + rec.a.replace(/_/g, ' ')));
    if (rec.c) { var with_ = el('span', null, 'with '); with_.appendChild(isolated('bdi', rec.c)); meta.appendChild(with_); }
    if (rec.l !== undefined) meta.appendChild(el('span', null, rec.l + ' likes'));
    if (rec.h !== undefined) meta.appendChild(el('span', null, rec.h + ' shares'));
    var url = safeUrl(rec.u);
    if (url) {
      var a = el('a', null, 'open on ' + rec.p);
      a.href = url; a.rel = 'noreferrer noopener'; a.target = '_blank';
      meta.appendChild(a);
    }
    art.appendChild(meta);
    var text = el('p', 'text');
    text.dir = 'auto';
    rec.t.forEach(function (s) {
      if (typeof s === 'string') { addText(text, s); return; }
      var m = addText(el('mark', CATS[s[1]] + (s[3] ? ' learned' : '')), s[0]);
      m.tabIndex = 0;
      m.title = REASONS[s[2]];
      m.dataset.reason = REASONS[s[2]];
      m.appendChild(el('span', 'sr', ' (' + REASONS[s[2]] + ')'));
      text.appendChild(m);
    });
    art.appendChild(text);
    if (rec.m) {
      var why = el('p', 'summary');
      why.appendChild(el('strong', null, 'Why: '));
      why.appendChild(document.createTextNode(rec.m));
      art.appendChild(why);
    }
    var ul = el('ul', 'why');
    rec.w.forEach(function (w) {
      if (w[3]) return;
      var li = el('li', null, '“');
      li.appendChild(isolated('bdi', w[0]));
      li.appendChild(document.createTextNode('”: ' + REASONS[w[2]]));
      ul.appendChild(li);
    });
    // Learned words, one quieter line per category: weaker evidence than a rule's finding.
    CATS.forEach(function (c, i) {
      var words = rec.w.filter(function (w) { return w[3] && w[1] === i; });
      if (!words.length) return;
      var li = el('li', 'learned', LEARNED[i] + ' ');
      words.forEach(function (w, j) {
        li.appendChild(document.createTextNode((j ? ', ' : '') + '“'));
        li.appendChild(isolated('bdi', w[0]));
        li.appendChild(document.createTextNode('”'));
      });
      ul.appendChild(li);
    });
    art.appendChild(ul);
    if (rec.g) art.appendChild(renderMedia(rec.g));
    art.appendChild(el('div', 'scores', CATS.map(function (c, i) { return TITLES[i] + ' ' + rec.s[i].toFixed(2); }).join(' · ')));
    var bar = el('div', 'decide');
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', 'Decision');
    STATUSES.forEach(function (st, i) {
      var b = el('button', 'd-' + st, LABELS[st]);
      b.type = 'button';
      b.title = LABELS[st] + ' (key ' + (i + 1) + ')';
      b.setAttribute('aria-pressed', dec === st ? 'true' : 'false');
      b.addEventListener('click', function () { decide(rec, dec === st ? null : st, art); });
      bar.appendChild(b);
    });
    bar.appendChild(el('span', 'state', dec ? 'decided: ' + LABELS[dec] : 'not decided'));
    art.appendChild(bar);
    return art;
  }

  // Photos: blurred until the user asks, since the page may be open on a shared screen.
  function renderMedia(g) {
    var box = el('div', 'media');
    box.appendChild(el('p', 'summary', 'Photos: ' + (g.s || 'nothing found') + (g.x ? ' (' + g.x + ')' : '')));
    g.f.forEach(function (f) {
      var fig = el('figure', 'photo');
      if (/^data:image\//.test(f.th)) {
        var img = el('img', 'thumb');
        img.src = f.th;
        img.alt = 'photo ' + f.u + ' (blurred; click to reveal)';
        img.tabIndex = 0;
        var toggle = function () { img.classList.toggle('revealed'); };
        img.addEventListener('click', toggle);
        img.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
        fig.appendChild(img);
      }
      var cap = el('figcaption', null, f.u + (f.a ? ': ' + f.a : ''));
      fig.appendChild(cap);
      if (f.w.length) {
        var reasons = el('ul', 'why');
        f.w.forEach(function (w) { reasons.appendChild(el('li', null, w)); });
        fig.appendChild(reasons);
      }
      if (f.o) fig.appendChild(el('pre', 'ocr', f.o));
      f.n.forEach(function (n) { fig.appendChild(el('p', 'note', n)); });
      box.appendChild(fig);
    });
    return box;
  }

  function decide(rec, status, art) {
    var before = local[rec.k];
    local[rec.k] = { status: status, at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    if (SERVED) send(rec, status, before); else save();
    var fresh = renderItem(rec);
    art.parentNode.replaceChild(fresh, art);
    fresh.focus();
    progress();
    return fresh;
  }

  // Fixed to the bottom of the window: the user is usually far down the list when a save fails. A click dismisses it.
  function warn(text) {
    var w = $('storage-warn');
    w.textContent = text + ' (Click to dismiss.)';
    w.classList.add('floating');
    w.onclick = function () { w.hidden = true; };
    w.hidden = false;
  }
  function send(rec, status, before) {
    pending++;
    fetch('decisions', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-Backscroll-Token': TOKEN || '' },
      body: JSON.stringify({ key: rec.k, status: status })
    }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || 'HTTP ' + r.status); return j; });
    }).then(function (j) {
      pending--;
      local[rec.k] = { status: j.status, at: j.at };
      progress();
    }).catch(function (e) {
      pending--;
      if (before) local[rec.k] = before; else delete local[rec.k];
      warn('This decision was not saved (' + e.message + '). Is backscroll still running? Reload the page and try again.');
      apply(true);
      progress();
    });
  }
  function load() {
    return fetch('decisions', { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (j) { TOKEN = j.token; local = j.decisions || {}; })
      .catch(function (e) { warn('Could not load your saved decisions (' + e.message + '). Reload the page.'); });
  }

  // Filters, search and sort work on the data, not the DOM.
  var state = { page: 0, view: [] };
  var lower = null;
  function textOf(rec) {
    return rec.t.map(function (s) { return typeof s === 'string' ? s : s[0]; }).join('') + ' ' + (rec.c || '') + ' ' + (rec.m || '');
  }
  function fill(select, values) {
    values.forEach(function (v) { var o = el('option', null, String(v).replace(/_/g, ' ')); o.value = v; select.appendChild(o); });
  }
  function uniq(fn) {
    var seen = {};
    ITEMS.forEach(function (r) { var v = fn(r); if (v) seen[v] = true; });
    return Object.keys(seen).sort();
  }
  fill($('f-platform'), uniq(function (r) { return r.p; }));
  fill($('f-kind'), uniq(function (r) { return r.n; }));
  fill($('f-year'), uniq(function (r) { return r.d.slice(0, 4); }).reverse());

  function apply(keepPage) {
    var cat = $('f-cat').value, platform = $('f-platform').value, kind = $('f-kind').value, year = $('f-year').value;
    var action = $('f-action').value, dec = $('f-decision').value, sort = $('f-sort').value;
    var q = $('f-text').value.trim().toLowerCase();
    if (q && !lower) lower = ITEMS.map(function (r) { return textOf(r).toLowerCase(); });
    var words = q ? q.split(/\s+/) : [];
    var view = [];
    for (var i = 0; i < ITEMS.length; i++) {
      var r = ITEMS[i], d = decision(r);
      if (cat !== '' && r.f.indexOf(+cat) < 0) continue;
      if (platform && r.p !== platform) continue;
      if (kind && r.n !== kind) continue;
      if (year && r.d.slice(0, 4) !== year) continue;
      if (action && r.x !== action) continue;
      if (dec === 'none' ? d : dec && d !== dec) continue;
      if (words.length && !words.every(function (w) { return lower[i].indexOf(w) >= 0; })) continue;
      view.push(i);
    }
    var dismissed = function (i) { return DISMISSED[decision(ITEMS[i])] ? 1 : 0; };
    view.sort(function (a, b) {
      var x = ITEMS[a], y = ITEMS[b];
      var dd = dismissed(a) - dismissed(b);
      if (dd) return dd;
      if (sort === 'new') return moment(y) - moment(x);
      if (sort === 'old') return moment(x) - moment(y);
      return y.r - x.r || moment(x) - moment(y);
    });
    state.view = view;
    if (!keepPage) state.page = 0;
    draw();
  }

  function pageSize() { return +$('f-size').value || 50; }
  function pages() { return Math.max(1, Math.ceil(state.view.length / pageSize())); }

  function draw(all) {
    var list = $('list');
    list.textContent = '';
    var size = all ? state.view.length : pageSize();
    state.page = Math.min(state.page, pages() - 1);
    var start = all ? 0 : state.page * size;
    var frag = document.createDocumentFragment();
    state.view.slice(start, start + size).forEach(function (i) { frag.appendChild(renderItem(ITEMS[i])); });
    if (!state.view.length) frag.appendChild(el('p', null, ITEMS.length ? 'No items match these filters.' : 'Nothing was flagged. Skim findings.csv anyway: no classifier is perfect.'));
    list.appendChild(frag);
    $('f-count').textContent = state.view.length + ' of ' + ITEMS.length + ' items match';
    $('page-of').textContent = 'page ' + (state.page + 1) + ' of ' + pages();
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page >= pages() - 1;
    $('pager').hidden = !!all || pages() < 2;
  }

  // "Your decisions" is drawn with the database's counts when the page was written (they cover
  // items past the embedded ones too); each item decided otherwise here moves one count.
  var STORED_COUNTS = {};
  STATUSES.forEach(function (st) { var c = $('count-' + st); STORED_COUNTS[st] = c ? +c.textContent || 0 : 0; });
  function progress() {
    var done = 0, counts = {};
    STATUSES.forEach(function (st) { counts[st] = STORED_COUNTS[st]; });
    ITEMS.forEach(function (r) {
      var now = decision(r), was = r.dc || null;
      if (now) done++;
      if (now === was) return;
      if (was in counts) counts[was]--;
      if (now in counts) counts[now]++;
    });
    var n = unsaved();
    $('progress').textContent = done + ' of ' + ITEMS.length + ' decided' + (n ? ' · ' + n + ' not yet saved to the database' : '');
    STATUSES.forEach(function (st) { var c = $('count-' + st); if (c) c.textContent = Math.max(0, counts[st]); });
  }

  function exportDecisions() {
    var out = {};
    ITEMS.forEach(function (rec) {
      var l = local[rec.k];
      if (l && (!rec.da || l.at > rec.da)) out[rec.k] = { status: l.status, at: l.at };
    });
    var body = JSON.stringify({ format: 'backscroll-decisions', version: 1, report: D.id, exported_at: new Date().toISOString(), decisions: out }, null, 1);
    $('export-text').value = body;
    $('export-box').hidden = false;
    $('export-box').open = true;
    try {
      var blob = new Blob([body], { type: 'application/json' });
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'backscroll-decisions.json';
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    } catch (e) { /* the text box above still holds it */ }
  }

  function current() {
    var a = document.activeElement;
    while (a && a !== document.body) { if (a.tagName === 'ARTICLE') return a; a = a.parentNode; }
    return null;
  }
  function move(step) {
    var arts = Array.prototype.slice.call(document.querySelectorAll('#list article'));
    if (!arts.length) return;
    var at = arts.indexOf(current());
    var next = at < 0 ? (step > 0 ? 0 : arts.length - 1) : at + step;
    if (next >= arts.length && state.page < pages() - 1) { state.page++; draw(); move(1); return; }
    if (next < 0 && state.page > 0) { state.page--; draw(); move(-1); return; }
    next = Math.max(0, Math.min(arts.length - 1, next));
    arts[next].focus({ preventScroll: true });
    reveal(arts[next]);
  }
  // Scroll an item into view below the sticky bar (the root's scroll-padding); one taller than the
  // room left shows its top, where risk, action and category are.
  function reveal(art) {
    var pad = parseFloat(window.getComputedStyle(document.documentElement).scrollPaddingTop) || 0;
    art.scrollIntoView({ block: art.getBoundingClientRect().height > window.innerHeight - pad ? 'start' : 'nearest' });
  }
  function byKey(art) {
    for (var i = 0; i < ITEMS.length; i++) if (ITEMS[i].k === art.dataset.key) return ITEMS[i];
    return null;
  }

  document.addEventListener('keydown', function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) {
      if (ev.key === 'Escape') t.blur();
      return;
    }
    var art = current();
    if (ev.key === 'j') move(1);
    else if (ev.key === 'k') move(-1);
    else if (ev.key === ']') { if (state.page < pages() - 1) { state.page++; draw(); move(1); } }
    else if (ev.key === '[') { if (state.page > 0) { state.page--; draw(); move(1); } }
    else if (ev.key === '/') $('f-text').focus();
    else if (art && /^[0-4]$/.test(ev.key)) {
      var rec = byKey(art);
      if (!rec) return;
      var fresh = decide(rec, ev.key === '0' ? null : STATUSES[+ev.key - 1], art);
      if (ev.key !== '0') { fresh.focus(); move(1); }
    } else return;
    ev.preventDefault();
  });

  var timer = null;
  ['f-cat', 'f-platform', 'f-kind', 'f-year', 'f-action', 'f-decision', 'f-sort', 'f-size'].forEach(function (id) {
    $(id).addEventListener('change', function () { apply(false); });
  });
  $('f-text').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { apply(false); }, 150); });
  $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); });
  $('prev').addEventListener('click', function () { state.page--; draw(); $('items-h').scrollIntoView(); });
  $('next').addEventListener('click', function () { state.page++; draw(); $('items-h').scrollIntoView(); });
  $('export').addEventListener('click', exportDecisions);
  $('print').addEventListener('click', function () {
    if (state.view.length > 2000 && !window.confirm(state.view.length + ' items is a lot of paper. Print them all?')) return;
    draw(true);
    window.print();
    draw();
  });
  // A printout shows what is folded away on screen (account-level steps, files read): closed
  // sections open for printing, whichever way it starts, and close again after.
  var unfolded = [];
  window.addEventListener('beforeprint', function () {
    unfolded = Array.prototype.filter.call(document.querySelectorAll('details:not([open])'), function (d) { return !d.closest('[hidden]'); });
    unfolded.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () { unfolded.forEach(function (d) { d.open = false; }); unfolded = []; });
  ['filters', 'toolbar', 'keys'].forEach(function (id) { $(id).hidden = false; });
  // The CSS keeps what scrolls into view below the filter bar while the bar sticks to the top.
  // Set through the CSSOM, which the page's style-src does not restrict.
  function barHeight() {
    var bar = $('filters');
    var h = window.getComputedStyle(bar).position === 'sticky' ? Math.ceil(bar.getBoundingClientRect().height) : 0;
    document.documentElement.style.setProperty('--bar', h + 'px');
  }
  barHeight();
  window.addEventListener('resize', barHeight);
  if (window.ResizeObserver) new window.ResizeObserver(barHeight).observe($('filters'));
  if (SERVED) {
    $('export').hidden = true;
    load().then(function () { apply(false); progress(); });
    return;
  }
  if (!canStore) $('storage-warn').hidden = false;
  apply(false);
  progress();
})();
