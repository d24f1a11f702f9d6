import { analyse } from '@/lib/graph/analyse';
import { formatShape } from '@/lib/graph/shape';
import { templates } from '@/lib/templates';

/** Home: the seed templates with what analysis knows about them. The editor arrives with its own issue. */
export default function Home() {
  return (
    <main>
      <h1>Netloom</h1>
      <p>
        Design generative models as graphs, train them in the browser, export them as TypeScript. Train any template from a terminal
        with <code>npm run train -- --graph &lt;id&gt;</code>.
      </p>
      <h2>Templates</h2>
      {templates.map((t) => {
        const analysis = analyse(t.doc);
        const losses = analysis.losses.map((id) => analysis.main.nodes.get(id)!.node.label ?? id);
        return (
          <section key={t.id} className="template" data-template={t.id}>
            <h3>
              {t.name} <code>{t.id}</code>
            </h3>
            <p>{t.description}</p>
            <p className="shapes">
              Networks:{' '}
              {[...analysis.networks.values()]
                .map((n) => `${n.signature.name}(${n.signature.inputs.map((i) => formatShape(i.shape)).join(', ')}) -> ${n.signature.outputs.map((o) => (o.shape ? formatShape(o.shape) : '?')).join(', ')}`)
                .join('; ')}
              . Losses: {losses.join(', ')}. Batch {t.doc.training.batchSize}.
            </p>
          </section>
        );
      })}
    </main>
  );
}
