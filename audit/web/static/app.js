(function () {
  'use strict';
  // The app's pages: upload with a progress bar, then poll the scan until the report is ready.
  // Text from the server is only ever set with textContent.
  var $ = function (id) { return document.getElementById(id); };
  var meta = document.querySelector('meta[name="backscroll-token"]');
  var TOKEN = meta ? meta.content : '';

  function show(el, text) { el.textContent = text; el.hidden = false; }
  function size(n) {
    var units = ['bytes', 'KB', 'MB', 'GB'], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + ' ' + units[i];
  }

  var form = $('upload');
  if (form) {
    var input = $('export'), drop = $('drop'), bar = $('upload-progress'), error = $('upload-error');
    var max = +form.dataset.max;
    var describe = function () {
      var files = Array.prototype.slice.call(input.files || []);
      if (files.length) $('chosen').textContent = files.map(function (f) { return f.name + ' (' + size(f.size) + ')'; }).join(', ');
    };
    input.addEventListener('change', describe);
    ['dragenter', 'dragover'].forEach(function (type) {
      drop.addEventListener(type, function (ev) { ev.preventDefault(); drop.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      drop.addEventListener(type, function () { drop.classList.remove('over'); });
    });
    drop.addEventListener('drop', function (ev) {
      ev.preventDefault();
      if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
      input.files = ev.dataTransfer.files;
      describe();
      send();
    });
    form.addEventListener('submit', function (ev) { ev.preventDefault(); send(); });

    var send = function () {
      error.hidden = true;
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) { show(error, 'Choose your export zip first.'); return; }
      var total = files.reduce(function (n, f) { return n + f.size; }, 0);
      if (max && total > max) { show(error, 'These files are ' + size(total) + ', more than the limit of ' + form.dataset.maxText + '.'); return; }
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Backscroll-Token', TOKEN);
      xhr.setRequestHeader('Accept', 'application/json');
      $('upload-status').hidden = false;
      $('start').disabled = true;
      bar.value = 0;
      xhr.upload.addEventListener('progress', function (ev) {
        if (!ev.lengthComputable) return;
        bar.value = Math.round(100 * ev.loaded / ev.total);
        $('upload-label').textContent = 'Uploading: ' + size(ev.loaded) + ' of ' + size(ev.total);
      });
      xhr.upload.addEventListener('load', function () { $('upload-label').textContent = 'Uploaded. Starting the scan…'; bar.value = 100; });
      xhr.addEventListener('load', function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if ((xhr.status === 202 || (xhr.status === 200 && body.same)) && body.url) { window.location.assign(body.url); return; }
        $('start').disabled = false;
        $('upload-status').hidden = true;
        show(error, body.error || 'The upload failed (HTTP ' + xhr.status + ').');
      });
      xhr.addEventListener('error', function () {
        $('start').disabled = false;
        $('upload-status').hidden = true;
        show(error, 'The upload was cut off. Is backscroll still running? Files over ' + form.dataset.maxText + ' are refused.');
      });
      xhr.send(new FormData(form));
    };
  }

  var STAGES = { open: 'Opening the export', 'import': 'Reading your posts',
                 model: 'Training the model (first scan on this computer only, about a minute)', classify: 'Checking each item',
                 media: 'Looking at photos', report: 'Writing the report' };
  var RUNNING = { queued: true, scanning: true };

  // Polls a scan's status every `every` ms while it runs; `update(status, httpStatus)` sees every answer.
  function watch(url, every, update) {
    var poll = function () {
      var xhr = new XMLHttpRequest();
      xhr.open('GET', url);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.addEventListener('load', function () {
        var s;
        try { s = JSON.parse(xhr.responseText); } catch (e) { setTimeout(poll, 1000); return; }
        if (xhr.status === 200 && RUNNING[s.status]) setTimeout(poll, every);
        update(s, xhr.status);
      });
      xhr.addEventListener('error', function () { setTimeout(poll, 2000); });
      xhr.send();
    };
    poll();
  }

  // "Reading your posts: 1200 so far…" for a running scan.
  function stageText(s) {
    var label = s.status === 'queued' ? 'Waiting for the previous scan to finish' : (STAGES[s.stage] || s.stage || 'Starting');
    if (s.total) label += ': ' + s.done + ' of ' + s.total;
    else if (s.done) label += ': ' + s.done + ' so far';
    return label + '…';
  }

  // A split export's notes, shown as soon as the scan knows them; notes are only ever added, so a new count means new ones.
  function showNotes(box, notes, className) {
    notes = notes || [];
    if (!box || box.children.length === notes.length) return;
    box.textContent = '';
    notes.forEach(function (note) {
      var p = document.createElement('p');
      p.className = className;
      p.textContent = 'Not the whole export: ' + note;
      box.appendChild(p);
    });
  }

  var panel = $('scan');
  if (panel && $('scan-progress')) {
    var progress = $('scan-progress');
    watch(panel.dataset.status, 400, function (s, code) {
      if (code !== 200) { show($('scan-error'), s.error || 'This scan is gone.'); $('scan-next').hidden = false; return; }
      showNotes($('scan-incomplete'), s.incomplete, 'error');
      if (s.status === 'done') { window.location.assign(s.report); return; }
      if (!RUNNING[s.status]) {
        progress.hidden = true;
        $('scan-stage').hidden = true;
        document.querySelector('#scan h1').textContent = 'This export could not be read';
        show($('scan-error'), s.error);
        $('scan-next').hidden = false;
        return;
      }
      if (s.total) {
        progress.max = s.total;
        progress.value = s.done;
      } else {
        progress.removeAttribute('value');
      }
      $('scan-stage').textContent = stageText(s);
    });
  }

  // The list of scans: a running scan's line follows it to its end, without a reload that would cut off an upload.
  Array.prototype.forEach.call(document.querySelectorAll('article.scan[data-status]'), function (card) {
    var state = card.querySelector('.state'), link = card.querySelector('.actions a');
    watch(card.dataset.status, 1500, function (s, code) {
      if (code === 200) showNotes(card.querySelector('.incomplete'), s.incomplete, 'small error');
      if (code === 200 && RUNNING[s.status]) { state.textContent = stageText(s); return; }
      card.classList.remove('queued', 'scanning');
      if (code === 200 && s.status === 'done') {
        card.classList.add('done');
        state.textContent = s.items + ' items read, ';
        var flagged = document.createElement('strong');
        flagged.textContent = s.flagged + ' flagged';
        state.appendChild(flagged);
        if (s.problems) state.appendChild(document.createTextNode(' · ' + s.problems + ' records could not be read (listed in the report)'));
        if (link) { link.textContent = 'Open the report'; link.href = s.report; link.className = 'button'; }
        return;
      }
      card.classList.add('failed');
      state.textContent = '';
      var error = document.createElement('span');
      error.className = 'error';
      error.textContent = s.error || 'This scan is gone.';
      state.appendChild(error);
      if (link) link.hidden = true;
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll('form.delete'), function (f) {
    f.addEventListener('submit', function (ev) { if (!window.confirm(f.dataset.confirm)) ev.preventDefault(); });
  });
})();
