"""SummaryView as a person sees it: JupyterLab in Chromium, a training loop in a
``%%tfgraph --summaries`` cell, and the chart in that cell drawing every step."""

import pytest

pytestmark = pytest.mark.browser

SETUP = """
%load_ext workbench
import tempfile
logdir = tempfile.mkdtemp()
"""

TRAIN = """
%%tfgraph --summaries {logdir} --no-render
import runtime as tf

x = tf.Variable(5.0, name="x")
loss = tf.square(x, name="loss_value")
tf.compat.v1.summary.scalar("loss", loss)
tf.compat.v1.summary.histogram("spread", tf.stack([x, -x]))
merged = tf.compat.v1.summary.merge_all()
train = tf.compat.v1.train.GradientDescentOptimizer(0.05).minimize(loss)
with tf.compat.v1.Session() as sess, tf.compat.v1.summary.FileWriter(logdir) as writer:
    sess.run(x.initializer)
    for step in range(50):
        writer.add_summary(sess.run(merged), step)
        sess.run(train)
"""

# The number of points the path of an SVG group draws (one M, then an L per point).
POINTS = """([root, gid]) => {
  const group = [...root.querySelectorAll('g[id]')].find(g => g.id === gid);
  const path = group && group.querySelector('path');
  return path ? (path.getAttribute('d').match(/[ML]/g) || []).length : 0;
}"""


def test_a_training_loop_of_50_steps_draws_50_points_in_its_cell(page, notebook, page_errors):
    notebook([SETUP, TRAIN])
    view = page.locator(".tfgraph-summary-view")
    view.wait_for()
    status = view.locator(".tfgraph-summary-status")
    page.wait_for_function(
        "element => element.textContent.includes('last step 49')",
        arg=status.element_handle(),
        timeout=60_000,
    )
    scalars = view.locator(".tfgraph-summary-scalars")
    count = scalars.evaluate(f"root => ({POINTS})([root, 'scalar|.|loss|smoothed'])")
    assert count == 50
    assert scalars.evaluate(f"root => ({POINTS})([root, 'scalar|.|loss|raw'])") == 50
    histograms = view.locator(".tfgraph-summary-histograms")
    assert histograms.evaluate(f"root => ({POINTS})([root, 'histogram|.|spread|median'])") == 50
    assert "loss" in scalars.inner_text()
    assert page_errors == []
