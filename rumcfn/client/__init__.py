"""What runs in the visitor's browser: the JavaScript renderer, the rum.js loader, the ES module for
bundlers, and the Content-Security-Policy directives the client needs."""
