// @ts-check
/**
 * A PNG of the timeline as it is drawn now, for a slide: the canvas' own pixels (device pixels,
 * so as sharp as on screen), saved under a name that says which lesson and run it shows.
 */

/**
 * A file name from what is on screen: "schedviz-lesson-3-gil-cpu-run-1a2b3c4d.png".
 * @param {{lesson: {number: number, id: string} | null, runId: string | null}} what
 */
export function pngName(what) {
  const parts = ["schedviz"];
  if (what.lesson) parts.push(`lesson-${what.lesson.number}`, what.lesson.id);
  if (what.runId) parts.push(`run-${what.runId.slice(0, 8)}`);
  const name = parts.join("-").replace(/[^A-Za-z0-9._-]+/g, "-");
  return `${name}.png`;
}

/**
 * Save the canvas as a PNG download.
 * @param {HTMLCanvasElement} canvas
 * @param {string} fileName
 * @returns {Promise<void>}  rejects with a message when the canvas is empty
 */
export function savePng(canvas, fileName) {
  if (canvas.width === 0 || canvas.height === 0) {
    return Promise.reject(new Error("the timeline has not been drawn yet: run something first"));
  }
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) {
        reject(new Error("the browser could not encode the timeline as a PNG"));
        return;
      }
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = fileName;
      document.body.append(a);
      a.click();
      a.remove();
      // The download has its own copy once clicked; the URL is only needed until then.
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      resolve();
    }, "image/png");
  });
}
