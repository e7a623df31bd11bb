// The door's phone page: scan the client's QR code with the camera where the browser can (BarcodeDetector),
// else type the 8-character code (or use a scanner that types). The scanned text goes into the same field.
(function () {
  "use strict";
  var button = document.getElementById("scan");
  var video = document.getElementById("camera");
  var field = document.getElementById("code");
  if (!button || !video || !field) { return; }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var look = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            field.value = codes[0].rawValue;
            field.form.submit();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(function () { window.requestAnimationFrame(look); });
      };
      look();
    }).catch(function () { button.hidden = true; });
  });
  field.focus();
})();
