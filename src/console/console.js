// The live delivery console: plain browser JavaScript, no build step, no CDN. The key stays in
// this page's memory; every text is written with textContent, never as HTML.
;(() => {
  const $ = (id) => document.getElementById(id)
  const FIELDS = 'id to status errorCode errorMessage sandbox createdAt callId smsAction { name }'
  const EVENTS = 'status at source errorCode'
  // A status only moves forward: an update that arrives after a later one is not shown over it.
  const RANK = { PENDING: 0, QUEUED: 1, SENDING: 2, SENT: 3, DELIVERED: 4, UNDELIVERED: 4, FAILED: 4, REJECTED: 4 }
  const deliveries = new Map()
  let key = ''
  let client
  let unsubscribe
  // For whoever measures the page: milliseconds from a status change to its rendering.
  window.__consoleLatencies = []

  const say = (text) => {
    $('state').textContent = text
  }
  async function graphql(query, variables = {}) {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    })
    const body = await res.json()
    if (body.errors) throw new Error(body.errors[0].message)
    return body.data
  }
  const el = (tag, props = {}, children = []) => {
    const node = Object.assign(document.createElement(tag), props)
    for (const child of children) node.append(child)
    return node
  }
  const masked = (phone) => `••• ${String(phone).slice(-4)}`
  const time = (at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })

  function render(id) {
    const { delivery: d, events } = deliveries.get(id)
    const card = el('article', { className: 'delivery', id: `delivery-${d.id}` }, [
      el('h2', {}, [
        el('span', { textContent: `${d.smsAction?.name ?? 'text'} → ${masked(d.to)}` }),
        el('span', { className: `status ${d.status}`, textContent: d.status }),
      ]),
      el('p', { className: 'meta', textContent: `call ${d.callId} · ${time(d.createdAt)}${d.sandbox ? ' · sandbox' : ''}` }),
    ])
    if (d.errorCode || d.errorMessage)
      card.append(el('p', { className: 'error', textContent: `${d.errorCode ?? ''} ${d.errorMessage ?? ''}`.trim() }))
    const list = el('ol', { className: 'timeline' })
    for (const e of events) {
      list.append(el('li', { className: 'event' }, [el('time', { textContent: time(e.at) }), ` ${e.status} · ${e.source.toLowerCase()}`]))
    }
    card.append(list)
    const old = $(`delivery-${d.id}`)
    if (old) old.replaceWith(card)
    else $('deliveries').prepend(card)
  }

  /** Takes a delivery's state and events in (live, or read with the page): newer statuses and unseen events only. */
  function merge(delivery, events, live = false) {
    const entry = deliveries.get(delivery.id) ?? { delivery, events: [] }
    if (RANK[delivery.status] >= RANK[entry.delivery.status]) entry.delivery = delivery
    for (const event of events) {
      if (entry.events.some((e) => e.status === event.status)) continue
      entry.events.push(event)
      if (live) window.__consoleLatencies.push(Date.now() - Date.parse(event.at))
    }
    entry.events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    deliveries.set(delivery.id, entry)
    render(delivery.id)
  }

  $('connect').addEventListener('submit', async (e) => {
    e.preventDefault()
    key = $('key').value.trim()
    try {
      const data = await graphql('{ campaigns { id name } }')
      const select = $('campaign')
      select.replaceChildren(el('option', { value: '', textContent: '—' }))
      for (const c of data.campaigns) select.append(el('option', { value: c.id, textContent: c.name }))
      client?.dispose()
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`
      client = graphqlWs.createClient({ url, connectionParams: { authorization: `Bearer ${key}` }, lazy: true })
      $('watch').hidden = false
      say(`Connected: ${data.campaigns.length} campaign(s). Pick a campaign or a call.`)
    } catch (err) {
      say(`Could not connect: ${err.message}`)
    }
  })

  // Ends the service asks to subscribe again after: updates may have gone by, or the current state could not be read.
  const AGAIN = new Set(['UPDATES_MISSED', 'TEMPORARILY_UNAVAILABLE'])
  let watching = 0
  let watches = 0

  /**
   * Streams the deliveries' changes, the current state of each first. When the service asks for it,
   * subscribes again (after `wait` ms): the current state covers the gap. A subscription that is no
   * longer the page's (another watch began) does nothing more.
   */
  function subscribe(variables, wait = 0) {
    unsubscribe?.()
    const mine = ++watching
    const since = Date.now()
    let again = false
    unsubscribe = client.subscribe(
      {
        query: `subscription($campaignId: ID, $callId: String) {
          smsDeliveryUpdated(campaignId: $campaignId, callId: $callId, includeCurrent: true) { delivery { ${FIELDS} } event { ${EVENTS} } } }`,
        variables,
      },
      {
        next: ({ data, errors }) => {
          if (mine !== watching) return
          const update = data?.smsDeliveryUpdated
          // The current state comes first: only events after the subscription began count as live.
          if (!errors) {
            const live = Date.parse(update.event?.at) >= since
            // A live change means the subscription holds: the next gap is caught up at once again.
            if (live) wait = 0
            return merge(update.delivery, update.event ? [update.event] : [], live)
          }
          again = AGAIN.has(errors[0].extensions?.code)
          say(again ? 'Updates may have gone by: catching up…' : `Subscription refused: ${errors[0].message}`)
        },
        error: (err) => mine === watching && say(`Subscription ended: ${err?.reason || err?.message || 'connection lost'}`),
        complete: () => {
          if (mine !== watching) return
          if (!again) return say('Subscription ended.')
          const next = Math.min(Math.max(wait * 2, 500), 10_000)
          setTimeout(() => {
            if (mine !== watching) return
            subscribe(variables, next)
            say('Watching again after a gap: texts are shown as they now are.')
          }, wait)
        },
      },
    )
  }

  $('watch').addEventListener('submit', async (e) => {
    e.preventDefault()
    const campaignId = $('campaign').value || null
    const callId = $('call').value.trim() || null
    if (!campaignId && !callId) return say('Pick a campaign or type a call id.')
    deliveries.clear()
    $('deliveries').replaceChildren()
    const variables = { campaignId, callId }
    const mine = ++watches
    subscribe(variables)
    try {
      const data = await graphql(
        `query($campaignId: ID, $callId: String) { smsDeliveries(first: 20, campaignId: $campaignId, callId: $callId) {
          edges { node { ${FIELDS} events { ${EVENTS} } } } } }`,
        variables,
      )
      // Another watch began while this one's page was read.
      if (mine !== watches) return
      for (const { node } of data.smsDeliveries.edges.reverse()) merge(node, node.events)
      say(
        `Watching ${campaignId ? 'the campaign' : `call ${callId}`}: ${data.smsDeliveries.edges.length} recent text(s); new ones appear live.`,
      )
    } catch (err) {
      say(`Could not load deliveries: ${err.message}`)
    }
  })
})()
