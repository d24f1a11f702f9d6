import { BODY_LIMITS } from '@/app/_lib/body-limits';
import { addPicture, getPicture } from '@/lib/db/runs';
import { jsonError, jsonResult, owned, refuseLarge } from '@/app/api/_lib/http';

type Context = { params: Promise<{ runId: string; kind: string; index: string }> };

export const GET = owned(async (owner, _request, { params }: Context) => {
  const { runId, kind, index } = await params;
  const picture = await getPicture(owner, runId, kind, Number(index));
  if (!picture.ok) return jsonResult(picture);
  // Verified as PNG when stored; nosniff (set for every response) keeps it an image.
  return new Response(new Uint8Array(picture.value), { headers: { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3600' } });
});

/** The PNG is the body; the iteration it shows is `?step=`. */
export const PUT = owned(async (owner, request, { params }: Context) => {
  const { runId, kind, index } = await params;
  const refused = refuseLarge(request, BODY_LIMITS.picture);
  if (refused) return refused;
  const step = new URL(request.url).searchParams.get('step');
  if (step === null) return jsonError('step: the iteration the picture shows is required (?step=)');
  return jsonResult(await addPicture(owner, runId, { kind, index: Number(index), step: Number(step) }, new Uint8Array(await request.arrayBuffer())));
});
