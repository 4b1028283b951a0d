// Photos taken on a phone, made fit to send over a weak connection. Shared by the field app
// (static/js/field/app.js) and the inspection form (static/js/inspection.js).
// window.HCPhotos.shrink(file) -> Promise<Blob>: a photo larger than 1600 px on its long side (or
// over 1.5 MB) becomes a 1600 px JPEG drawn in a canvas; anything else is returned as it is.
(function () {
  "use strict";
  var MAX = 1600;

  function shrink(file) {
    if (!window.createImageBitmap || !file.type || file.type.indexOf("image/") !== 0) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
      var scale = Math.min(1, MAX / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1500000) { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  window.HCPhotos = {shrink: shrink, MAX: MAX};
})();
