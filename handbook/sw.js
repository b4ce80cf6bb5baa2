/* The handbook's service worker (quizapp/content/offline.py explains the whole).
 *
 * A handbook page or file: from the network; when the network fails (or takes
 * longer than WAIT ms while a saved copy exists), from the volumes the reader
 * saved (caches "zj-volume-<code>", filled by javascripts/offline.js). A saved
 * copy is refreshed whenever the network answers. Never stored, never answered
 * from a cache: the platform's own paths (practice, exams, anything personal;
 * the list is deploy/nginx.conf's, a test holds them equal) and anything but GET.
 */
"use strict";

var PLATFORM = /^\/(login|logout|account|practice|exams|attempts|api|mistakes|me|surveys|feedback|reports|instructor|supervisor|editor|static|healthz)(\/|$)/;
var PREFIX = "zj-volume-";
var WAIT = 4000;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function saved(request) {
  return caches.keys().then(function (names) {
    var mine = names.filter(function (n) { return n.indexOf(PREFIX) === 0; });
    return mine.reduce(function (found, name) {
      return found.then(function (hit) {
        return hit || caches.open(name).then(function (c) { return c.match(request, { ignoreSearch: true }); });
      });
    }, Promise.resolve(undefined));
  });
}

function refresh(request, response) {           /* keep a saved copy current */
  if (!response.ok || response.type !== "basic") return;
  caches.keys().then(function (names) {
    names.filter(function (n) { return n.indexOf(PREFIX) === 0; }).forEach(function (name) {
      caches.open(name).then(function (c) {
        return c.match(request, { ignoreSearch: true }).then(function (old) {
          if (old) return c.put(request, response.clone());
        });
      });
    });
  });
}

var OFFLINE_PAGE = '<!doctype html><html lang="zh-CN"><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1"><title>当前离线</title>' +
  '<h1>当前离线，此页未保存</h1><p>本页不在已保存离线阅读的分卷中。请联网后打开，' +
  '或在分卷首页选择“离线阅读本卷”。</p><p><a href="/">返回首页</a></p></html>';

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin || PLATFORM.test(url.pathname)) return;
  event.respondWith(saved(request).then(function (copy) {
    var network = fetch(request).then(function (response) {
      if (copy) refresh(request, response.clone());
      return response;
    });
    if (!copy) {
      return network.catch(function () {
        if (request.mode === "navigate") {
          return new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
        }
        return Response.error();
      });
    }
    var late = new Promise(function (resolve) { setTimeout(function () { resolve(copy); }, WAIT); });
    return Promise.race([network.catch(function () { return copy; }), late]);
  }));
});
