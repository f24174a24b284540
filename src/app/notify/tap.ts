// A journal whose appends are also seen by the notifier: after each append, the event goes to
// `onAppend` (which must not throw). The store itself is unchanged in every other way.
export function tapAppends(
  store: { append(event: { type: string; v: number; t: number; data: unknown }): number },
  onAppend: (event: { type: string; t: number; data: unknown }) => void,
): void {
  const append = store.append.bind(store);
  store.append = (event) => {
    const seq = append(event);
    onAppend(event);
    return seq;
  };
}
