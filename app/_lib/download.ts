/**
 * Saves a fetched file as the browser's download, under the name the server
 * gave it (Content-Disposition), else `fallback`.
 */
export async function saveDownload(response: Response, fallback: string): Promise<void> {
  const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? fallback;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // After the click has started the download; revoking at once can cancel it.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
