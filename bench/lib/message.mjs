// The "small message" of the ceilings: what a one-way remote send carries on the wire (a send
// frame addressed to a pid, with a small user payload). The sdnode and Erlang scenarios send the
// same user payload: { seq, body: 'hello' } / {msg, Seq, <<"hello">>}.

export const SMALL_BODY = 'hello';

/** A send frame shaped like the distribution protocol's, for raw codec and socket ceilings. */
export function smallFrame(seq) {
  return {
    t: 'send',
    to: { node: 'b@127.0.0.1', id: 17, creation: 3 },
    msg: { seq, body: SMALL_BODY },
  };
}
