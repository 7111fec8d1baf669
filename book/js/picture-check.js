// Records on <body>, once the page and its pictures have loaded, which
// pictures did not show: tests/book_pictures.rs renders each page of the
// built book that has a picture in headless Chromium, dumps the DOM and
// reads these attributes. A reader's browser runs it too; it only sets
// three attributes and changes nothing on the page.
//
//   data-pictures-checked  how many <img> and inline <svg> were looked at
//   data-broken-pictures   the src of each <img> that did not load or
//                          decode (complete false or naturalWidth 0), and
//                          "inline-svg-N" for an inline <svg> with no size,
//                          space-separated, URI-encoded
//   data-remote-fetches    every resource the page fetched over http(s),
//                          which a book read offline must never need
window.addEventListener("load", function () {
    "use strict";
    var broken = [];
    var images = document.querySelectorAll("main img");
    images.forEach(function (img) {
        if (!img.complete || img.naturalWidth === 0) {
            broken.push(encodeURI(img.getAttribute("src") || ""));
        }
    });
    var drawings = document.querySelectorAll("main svg");
    drawings.forEach(function (svg, n) {
        var box = svg.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) {
            broken.push("inline-svg-" + n);
        }
    });
    var remote = performance.getEntriesByType("resource")
        .map(function (entry) { return entry.name; })
        .filter(function (name) { return /^https?:/.test(name); })
        .map(encodeURI);
    document.body.setAttribute("data-pictures-checked", String(images.length + drawings.length));
    document.body.setAttribute("data-broken-pictures", broken.join(" "));
    document.body.setAttribute("data-remote-fetches", remote.join(" "));
});
