// PHOS inspections service worker: keeps the inspection pages and their assets so that an
// inspector can open a checklist without a network. Pages: network first, the cached copy when
// offline. Assets: cached at install. Nothing else is touched (POSTs go to the network; the
// page's own script queues records while offline).
'use strict';
const CACHE = 'phos-reg-inspect-v1';
const ASSETS = ['/static/phos.css', '/static/phos.js', '/static/regulatory-inspect.js', '/static/icon.svg'];
const SCOPE = '/staff/regulatory/inspections/';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('phos-reg-inspect-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const page = url.pathname.startsWith(SCOPE) && !url.pathname.startsWith(SCOPE + 'photos/');
  if (!page && !ASSETS.includes(url.pathname)) return;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req, { ignoreSearch: page }).then((hit) => hit || Response.error()))
  );
});
